//! Catalog search, embedded in the binary: a tantivy index of events in memory, so that no
//! one has to run a search server.
//!
//! Text is read the same way when it is indexed and when it is asked for (`words`): split
//! on anything that is not a letter or a digit, lower-cased, accents folded ("Amélie" is
//! `amelie`). Every word of a query must match somewhere in an event: exactly, within a
//! typo (one edit for words of 5 letters or more, two for 9 or more), or, for the last word,
//! as the start of a word of a title, a name or a tag (what someone typing has not finished).
//! Where it matches decides how much it counts: the title first, then the people (cast,
//! director), then the tags (genres, language, certificate) and the places (venues, cities),
//! then the synopsis; an exact word counts more than a finished prefix, a prefix more than a
//! typo. Nothing of the
//! query is read as syntax: quotes, colons, stars and `AND` are words or separators.
//!
//! The text index only knows events' words; `Catalog` adds what is on where and when, and
//! answers a query with text and filters, its facets and a page, all in memory.

mod catalog;
mod words;

pub use catalog::{Answer, Catalog, Facets, Listed, Query, Showing};
pub use words::{words, MAX_QUERY_WORDS};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query as Ask,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// An event as the index reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventText {
    pub id: i64,
    pub title: String,
    pub original_title: String,
    /// Cast and director.
    pub people: Vec<String>,
    /// Genres, language, certificate.
    pub tags: Vec<String>,
    /// The venues and cities where it plays.
    pub places: Vec<String>,
    pub synopsis: String,
}

/// An event a query matched, and how well.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub event: i64,
    /// Higher is better; only the order means anything.
    pub relevance: f32,
}

#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(#[from] tantivy::TantivyError);

/// Where a word matched, from the best place to the least.
#[derive(Debug, Clone, Copy)]
enum Place {
    Title,
    People,
    Tags,
    Synopsis,
}

impl Place {
    /// What an exact match of a word here counts. A prefix counts 0.7 of it, a typo 0.6.
    fn weight(self) -> f32 {
        match self {
            Place::Title => 100.0,
            Place::People => 30.0,
            Place::Tags => 10.0,
            Place::Synopsis => 3.0,
        }
    }
}

impl Place {
    /// Whether an unfinished last word is matched here as the start of a word. Not in
    /// synopses: someone typing means a title, a name or a tag, and the start of a common
    /// word ("the") would otherwise read most of the synopses' words ("then", "there").
    fn takes_prefixes(self) -> bool {
        !matches!(self, Place::Synopsis)
    }
}

const PREFIX: f32 = 0.7;
const TYPO: f32 = 0.6;

/// The index's fields, each with the place its matches count as.
struct Fields {
    text: Vec<(Field, Place)>,
    title: Field,
}

/// The events' words, indexed in memory; built whole from the catalog (`build`), searched by
/// any number of threads at once.
pub struct TextIndex {
    reader: IndexReader,
    fields: Fields,
    /// The event id of each document, by segment and document number.
    ids: Vec<Vec<i64>>,
    events: usize,
    /// Answers given already: the index never changes, so the same words always find the
    /// same events, and people ask the same things (the first letters of a title, a common
    /// word) again and again.
    answered: Mutex<Answered>,
}

/// What a question to the index was: a search or a title's type-ahead, of these words.
type Asked = (Kind, Vec<String>);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Search,
    Suggest,
}

/// The answers remembered, bounded by how many and by their hits in all (then forgotten all
/// at once: the index is built again often enough that a finer policy would not pay).
#[derive(Default)]
struct Answered {
    by_words: HashMap<Asked, Arc<Vec<Hit>>>,
    hits: usize,
}

/// At most this many answers remembered...
const MAX_ANSWERS: usize = 10_000;
/// ...and at most this many hits in them all (16 bytes each).
const MAX_HITS: usize = 2_000_000;

impl TextIndex {
    /// Indexes `events` (in one thread: the index is small, and the node keeps serving).
    pub fn build(events: &[EventText]) -> Result<TextIndex, SearchError> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(words::ANALYZER)
                .set_index_option(IndexRecordOption::Basic),
        );
        let id = schema.add_i64_field("id", FAST);
        // One field for each place a word may count as (an original title is a title, a
        // venue's or city's name a tag): fewer fields, fewer lists for a query to read.
        let title = schema.add_text_field("title", text.clone());
        let people = schema.add_text_field("people", text.clone());
        let tags = schema.add_text_field("tags", text.clone());
        let synopsis = schema.add_text_field("synopsis", text);
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(words::ANALYZER, words::analyzer());
        // The smallest budget tantivy takes for one thread.
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for event in events {
            let mut doc = TantivyDocument::default();
            doc.add_i64(id, event.id);
            doc.add_text(title, &event.title);
            doc.add_text(title, &event.original_title);
            for (field, values) in [
                (people, &event.people),
                (tags, &event.tags),
                (tags, &event.places),
            ] {
                for value in values {
                    doc.add_text(field, value);
                }
            }
            doc.add_text(synopsis, &event.synopsis);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut ids = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().i64("id")?;
            ids.push(
                (0..segment.max_doc())
                    .map(|doc| column.first(doc).unwrap_or_default())
                    .collect(),
            );
        }
        Ok(TextIndex {
            reader,
            fields: Fields {
                text: vec![
                    (title, Place::Title),
                    (people, Place::People),
                    (tags, Place::Tags),
                    (synopsis, Place::Synopsis),
                ],
                title,
            },
            ids,
            events: events.len(),
            answered: Mutex::default(),
        })
    }

    /// How many events are indexed.
    pub fn len(&self) -> usize {
        self.events
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Every event that matches every word of `text`, best first (ties in no set order);
    /// `None` when `text` has no word to search for.
    pub fn search(&self, text: &str) -> Result<Option<Vec<Hit>>, SearchError> {
        let asked = words(text);
        if asked.is_empty() {
            return Ok(None);
        }
        let hits = self.remembered((Kind::Search, asked), |asked| {
            self.run(&*self.all_words(asked, &self.fields.text, words::MIN_PREFIX))
        })?;
        Ok(Some(hits.to_vec()))
    }

    /// Events whose title (or original title) has every word of `text` (the last one may be
    /// unfinished), best first, at most `limit`: what a search box offers while someone types.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let asked = words(text);
        if asked.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let title = [(self.fields.title, Place::Title)];
        // One letter typed already narrows the titles ("The K" offers The King...).
        let hits = self.remembered((Kind::Suggest, asked), |asked| {
            self.run(&*self.all_words(asked, &title, 1))
        })?;
        Ok(hits.iter().take(limit).copied().collect())
    }

    /// The answer to `asked`: remembered, or found by `find` and remembered.
    fn remembered(
        &self,
        asked: Asked,
        find: impl FnOnce(&[String]) -> Result<Vec<Hit>, SearchError>,
    ) -> Result<Arc<Vec<Hit>>, SearchError> {
        if let Some(hits) = self.answers().by_words.get(&asked) {
            return Ok(hits.clone());
        }
        let hits = Arc::new(find(&asked.1)?);
        let mut answered = self.answers();
        if answered.by_words.len() >= MAX_ANSWERS || answered.hits + hits.len() > MAX_HITS {
            *answered = Answered::default();
        }
        answered.hits += hits.len();
        answered.by_words.insert(asked, hits.clone());
        Ok(hits)
    }

    /// The remembered answers; a panic elsewhere leaves them whole (each insert is one step).
    fn answers(&self) -> std::sync::MutexGuard<'_, Answered> {
        self.answered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A query that every word must match, each in the best of `fields` it can; the last
    /// also as the start of a word when it has `min_prefix` letters or more.
    fn all_words(
        &self,
        asked: &[String],
        fields: &[(Field, Place)],
        min_prefix: usize,
    ) -> Box<dyn Ask> {
        let last = asked.len() - 1;
        let clauses = asked
            .iter()
            .enumerate()
            .map(|(n, word)| {
                let prefix = n == last && word.chars().count() >= min_prefix;
                (Occur::Must, one_word(word, prefix, fields))
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    fn run(&self, query: &dyn Ask) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let found: Vec<(f32, DocAddress)> =
            searcher.search(query, &TopDocs::with_limit(self.events.max(1)))?;
        Ok(found
            .into_iter()
            .filter_map(|(relevance, at)| {
                self.ids
                    .get(at.segment_ord as usize)
                    .and_then(|docs| docs.get(at.doc_id as usize))
                    .map(|&event| Hit { event, relevance })
            })
            .collect())
    }

    /// The bytes the index takes in memory.
    pub fn size_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map(|usage| usage.total().get_bytes())
            .unwrap_or(0)
    }
}

/// One word of a query: the best of its matches in `fields` (exact, then, where the word is
/// long enough, within a typo; also as a prefix when `prefix`).
fn one_word(word: &str, prefix: bool, fields: &[(Field, Place)]) -> Box<dyn Ask> {
    let typos = words::typos_allowed(word);
    let mut ways: Vec<Box<dyn Ask>> = Vec::new();
    for &(field, place) in fields {
        let term = Term::from_field_text(field, word);
        let weight = place.weight();
        ways.push(Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
            weight,
        )));
        if prefix && place.takes_prefixes() {
            ways.push(Box::new(ConstScoreQuery::new(
                Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
                weight * PREFIX,
            )));
        }
        if typos > 0 {
            ways.push(Box::new(ConstScoreQuery::new(
                Box::new(FuzzyTermQuery::new(term, typos, true)),
                weight * TYPO,
            )));
        }
    }
    Box::new(DisjunctionMaxQuery::new(ways))
}

/// Ranks `hits` by relevance, ties by `then` (e.g. the next showtime), then by event id:
/// an order that is the same for the same catalog, so pages never repeat or skip.
pub fn rank<K: Ord>(hits: &mut [Hit], then: impl Fn(i64) -> K) {
    hits.sort_by(|a, b| order((a, then(a.event)), (b, then(b.event))));
}

/// The order of `rank`: the more relevant first, ties by what follows each hit, then by
/// event id.
pub fn order<K: Ord>((a, a_then): (&Hit, K), (b, b_then): (&Hit, K)) -> std::cmp::Ordering {
    b.relevance
        .total_cmp(&a.relevance)
        .then_with(|| a_then.cmp(&b_then))
        .then_with(|| a.event.cmp(&b.event))
}

#[cfg(test)]
mod tests;
