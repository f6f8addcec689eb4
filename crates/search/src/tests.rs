use super::*;

fn event(id: i64, title: &str) -> EventText {
    EventText {
        id,
        title: title.to_string(),
        ..EventText::default()
    }
}

/// A small catalog where each query below has one right answer, or one right order.
fn catalog() -> Vec<EventText> {
    vec![
        EventText {
            synopsis: "Earth's mightiest heroes assemble.".into(),
            people: vec!["Scarlett Johansson".into(), "Joss Whedon".into()],
            tags: vec!["action".into(), "en".into(), "12A".into()],
            places: vec!["Lumen Southbank".into(), "London".into()],
            ..event(1, "The Avengers")
        },
        EventText {
            synopsis: "A team of explorers travels through a wormhole in space.".into(),
            people: vec!["Matthew McConaughey".into(), "Christopher Nolan".into()],
            tags: vec!["sci-fi".into(), "en".into()],
            ..event(2, "Interstellar")
        },
        EventText {
            original_title: "Le Fabuleux Destin d'Amélie Poulain".into(),
            people: vec!["Audrey Tautou".into()],
            tags: vec!["comedy".into(), "fr".into()],
            ..event(3, "Amélie")
        },
        // "Nolan" in the title of one, among the people of another (2), in the synopsis of a
        // third: the title counts most.
        EventText {
            synopsis: "A documentary.".into(),
            ..event(4, "Nolan: A Life in Film")
        },
        EventText {
            synopsis: "Critics compare it to Nolan at his best.".into(),
            ..event(5, "Time Loops")
        },
        EventText {
            people: vec!["Avery Brooks".into()],
            ..event(6, "Deep Space")
        },
    ]
}

fn ids(hits: &[Hit]) -> Vec<i64> {
    hits.iter().map(|h| h.event).collect()
}

fn search(index: &TextIndex, text: &str) -> Vec<i64> {
    let mut hits = index.search(text).unwrap().unwrap_or_default();
    rank(&mut hits, |_| 0);
    ids(&hits)
}

#[test]
fn a_title_match_ranks_before_people_before_the_synopsis() {
    let index = TextIndex::build(&catalog()).unwrap();
    assert_eq!(search(&index, "nolan"), [4, 2, 5]);
    // Both words must match, each where it counts most.
    assert_eq!(search(&index, "interstellar nolan"), [2]);
    assert_eq!(search(&index, "nolan documentary"), [4]);
    assert_eq!(search(&index, "nolan romance"), Vec::<i64>::new());
}

#[test]
fn a_typo_is_forgiven_by_the_words_length() {
    let index = TextIndex::build(&catalog()).unwrap();
    // One edit from 5 letters, two from 9.
    assert_eq!(search(&index, "avengrs"), [1]);
    assert_eq!(search(&index, "interstelar"), [2]);
    assert_eq!(search(&index, "intrstelar"), [2], "two edits, 10 letters");
    assert_eq!(
        search(&index, "avngrs"),
        Vec::<i64>::new(),
        "two edits, 6 letters"
    );
    // Under 5 letters, none ("spac" is 4: it is no "space"; only a last word may be a prefix).
    assert_eq!(search(&index, "spac deep"), Vec::<i64>::new());
    assert_eq!(search(&index, "deep spac"), [6]);
    assert_eq!(search(&index, "spaca deep"), [6], "5 letters, one edit");
    // A transposition is one edit.
    assert_eq!(search(&index, "aveng ers").len(), 0);
    assert_eq!(search(&index, "avnegers"), [1]);
}

#[test]
fn accents_and_case_are_folded_both_ways() {
    let index = TextIndex::build(&catalog()).unwrap();
    assert_eq!(search(&index, "amelie"), [3]);
    assert_eq!(search(&index, "AMÉLIE"), [3]);
    assert_eq!(search(&index, "poulain"), [3], "the original title");
    assert_eq!(search(&index, "Interstéllar"), [2]);
}

#[test]
fn the_last_word_may_be_unfinished() {
    let index = TextIndex::build(&catalog()).unwrap();
    // "ave" starts Avengers (a title) and Avery (a person): the title first.
    assert_eq!(search(&index, "ave"), [1, 6]);
    assert_eq!(search(&index, "the aven"), [1]);
    // A synopsis's words are matched whole.
    assert_eq!(search(&index, "wormhole"), [2]);
    assert_eq!(search(&index, "wormh"), Vec::<i64>::new());
    // Only the last word: "aven the" asks for the word "aven".
    assert_eq!(search(&index, "aven the"), Vec::<i64>::new());
    // One letter is not a prefix.
    assert_eq!(
        search(&index, "a"),
        [4, 2],
        "the word a: a title's, then a synopsis's"
    );
}

#[test]
fn tags_and_places_are_searched_too() {
    let index = TextIndex::build(&catalog()).unwrap();
    assert_eq!(search(&index, "sci-fi"), [2]);
    assert_eq!(search(&index, "london"), [1]);
    assert_eq!(search(&index, "southbank avengers"), [1]);
}

#[test]
fn nothing_in_a_query_is_syntax_and_long_ones_cost_no_more() {
    let index = TextIndex::build(&catalog()).unwrap();
    for odd in [
        "\"avengers",
        "title:avengers",
        "avengers*",
        "(avengers",
        "-avengers",
        "avengers AND",
        "avengers)",
    ] {
        let found = search(&index, odd);
        assert!(found.is_empty() || found == [1], "{odd}: {found:?}");
    }
    assert_eq!(search(&index, "\"the avengers\""), [1]);
    assert_eq!(index.search("  ").unwrap(), None, "no words");
    assert_eq!(index.search("*:()\"-").unwrap(), None);
    assert_eq!(index.search("🎬 ☃").unwrap(), None);
    let long = "avengers ".repeat(120);
    assert!(long.len() > 1000);
    assert_eq!(words(&long).len(), MAX_QUERY_WORDS);
    assert_eq!(search(&index, &long), [1]);
    // A word too long to be one is dropped.
    let pasted = "x".repeat(500);
    assert_eq!(index.search(&pasted).unwrap(), None);
}

#[test]
fn suggestions_are_titles_that_start_as_typed() {
    let index = TextIndex::build(&catalog()).unwrap();
    let suggested = |text: &str, limit| ids(&index.suggest(text, limit).unwrap());
    assert_eq!(suggested("ave", 8), [1], "Avery is a person, not a title");
    assert_eq!(suggested("deep sp", 8), [6]);
    assert_eq!(
        suggested("Deep S", 8),
        [6],
        "one letter of the last word typed"
    );
    assert_eq!(suggested("nolan a", 8), [4]);
    assert_eq!(suggested("ame", 8), [3]);
    assert_eq!(suggested("", 8), Vec::<i64>::new());
    let many: Vec<EventText> = (0..20).map(|n| event(n, &format!("Star {n}"))).collect();
    let index = TextIndex::build(&many).unwrap();
    assert_eq!(index.suggest("sta", 8).unwrap().len(), 8);
}

#[test]
fn ties_go_by_the_callers_order_then_the_id() {
    let many: Vec<EventText> = [5, 3, 9, 1]
        .into_iter()
        .map(|n| event(n, "Same Title"))
        .collect();
    let index = TextIndex::build(&many).unwrap();
    let mut hits = index.search("same").unwrap().unwrap();
    // The caller's key (e.g. the next showtime): 9 soonest, the others level.
    rank(&mut hits, |id| if id == 9 { 0 } else { 1 });
    assert_eq!(ids(&hits), [9, 1, 3, 5]);
    assert_eq!(index.len(), 4);
    assert!(index.size_bytes() > 0);
}

#[test]
fn an_answer_is_remembered_once_for_the_same_words_and_the_memory_is_bounded() {
    let index = TextIndex::build(&catalog()).unwrap();
    let first = index.search("Nolan").unwrap();
    assert_eq!(index.search("NOLAN").unwrap(), first, "the same words");
    assert_eq!(index.answers().by_words.len(), 1);
    let offered = index.suggest("inter", 8).unwrap();
    assert_eq!(offered.iter().map(|h| h.event).collect::<Vec<_>>(), [2]);
    assert_eq!(index.suggest("Inter", 1).unwrap(), offered);
    assert_eq!(index.answers().by_words.len(), 2, "a suggestion is its own");
    for n in 0..=MAX_ANSWERS {
        index.search(&format!("word{n}")).unwrap();
    }
    let answered = index.answers();
    assert!(answered.by_words.len() <= MAX_ANSWERS);
    assert!(answered
        .by_words
        .contains_key(&(Kind::Search, vec![format!("word{MAX_ANSWERS}")])));
}
