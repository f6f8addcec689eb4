//! How text becomes words, the same for what is indexed and what is asked for.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// The name the analyzer is registered under in the index.
pub(crate) const ANALYZER: &str = "marquee_words";

/// Words longer than this are no words (a pasted hash, a run of letters): dropped.
const MAX_WORD_BYTES: usize = 40;

/// A query reads at most this many words; the rest is ignored, so a 1,000-character query
/// costs what a short one does.
pub const MAX_QUERY_WORDS: usize = 8;

/// The shortest unfinished word matched as a prefix ("av" finds Avengers; "a" finds nothing
/// more than the word `a`).
pub(crate) const MIN_PREFIX: usize = 2;

/// Split on what is not a letter or digit, lower-cased, accents folded, long words dropped.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words of `text` as the index reads them, at most `MAX_QUERY_WORDS`.
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while words.len() < MAX_QUERY_WORDS && stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

/// How many typos a word may have and still match: none under 5 letters, one from 5, two
/// from 9.
pub(crate) fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}
