//! The demo's films. Every title, synopsis and name is invented.

pub(super) struct MovieSpec {
    pub title: &'static str,
    /// Where the listings' title is not the one it was released under; else empty.
    pub original_title: &'static str,
    pub director: &'static str,
    pub synopsis: &'static str,
    pub cast: &'static [&'static str],
    pub genres: &'static [&'static str],
    /// ISO 639-1.
    pub language: &'static str,
    pub runtime_minutes: u32,
    /// BBFC-style, one scheme for every city so the filters have one set of values.
    pub certificate: &'static str,
    /// Release dates are counted back from the demo's `now`, so the catalog always looks
    /// like this week's, whenever it is loaded.
    pub opened_days_ago: u64,
    /// Plays in the IMAX hall.
    pub blockbuster: bool,
    /// Has a 3D print, shown in 3D where the screen can.
    pub three_d: bool,
}

pub(super) const MOVIES: &[MovieSpec] = &[
    MovieSpec {
        title: "Starfall Protocol",
        original_title: "",
        director: "Nadia Korsakova",
        synopsis: "When a decommissioned defence satellite wakes up and starts talking, a \
                   grounded astronaut is the only person it will listen to. She has nine hours \
                   to reach a launch site on the far side of a continent in lockdown. Nobody \
                   tells her who switched it back on.",
        cast: &[
            "Maren Holt",
            "Idris Okafor",
            "Tessa Lindqvist",
            "Rafael Domínguez",
        ],
        genres: &["sci-fi", "action", "thriller"],
        language: "en",
        runtime_minutes: 148,
        certificate: "12A",
        opened_days_ago: 5,
        blockbuster: true,
        three_d: true,
    },
    MovieSpec {
        title: "Iron Tides",
        original_title: "",
        director: "Brendan Ashcroft",
        synopsis: "A salvage crew hired to raise a sunken warship discovers that the wreck is \
                   still being guarded. As a storm closes the harbour, the captain has to \
                   choose between the payout and her crew.",
        cast: &[
            "Callum Reyes",
            "Anouk Verbeek",
            "Desmond Achterberg",
            "Lila Fairweather",
        ],
        genres: &["action", "adventure"],
        language: "en",
        runtime_minutes: 156,
        certificate: "12A",
        opened_days_ago: 12,
        blockbuster: true,
        three_d: true,
    },
    MovieSpec {
        title: "Kingdom of Ash and Ember",
        original_title: "",
        director: "Oona Rautavaara",
        synopsis: "The last heir of a burned kingdom crosses a frozen sea to bargain with the \
                   dragon that destroyed it. The dragon has terms of its own. The second \
                   chapter of the Ember saga.",
        cast: &[
            "Orla Kinsella",
            "Bastian Wolke",
            "Noor Haddad",
            "Everett Sloane-Park",
            "Juno Marr",
        ],
        genres: &["fantasy", "adventure", "action"],
        language: "en",
        runtime_minutes: 172,
        certificate: "12A",
        opened_days_ago: 2,
        blockbuster: true,
        three_d: true,
    },
    MovieSpec {
        title: "Deep Orbit",
        original_title: "",
        director: "Tomás Echeverría",
        synopsis: "Six months into a mission to a comet, the crew of the Meridian receive a \
                   distress call in their own voices. The ship's log says they sent it \
                   tomorrow.",
        cast: &["Priya Raman", "Jonah Whitlock", "Sigrid Aalto"],
        genres: &["sci-fi", "thriller"],
        language: "en",
        runtime_minutes: 142,
        certificate: "12A",
        opened_days_ago: 19,
        blockbuster: true,
        three_d: false,
    },
    MovieSpec {
        title: "The Last Lighthouse Keeper",
        original_title: "",
        director: "Fiona MacAllister",
        synopsis: "On a Hebridean island about to lose its lighthouse to automation, the keeper \
                   finds a logbook that does not match his own. A quiet, salt-stung mystery \
                   about the people who watch and the things they choose not to see.",
        cast: &["Angus Tremayne", "Fiona Blackwood", "Eilidh MacRae"],
        genres: &["drama", "mystery"],
        language: "en",
        runtime_minutes: 118,
        certificate: "12A",
        opened_days_ago: 26,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Ridge of Saints",
        original_title: "",
        director: "Jonah Whitcombe",
        synopsis: "Three estranged brothers drive their father's ashes across the high desert \
                   to the mining town where he was born. The town has not forgotten him, and \
                   not in the way they hoped.",
        cast: &[
            "Wes Calloway",
            "Dario Quintero",
            "Hank Bellamy",
            "Rosalind Oyelaran",
        ],
        genres: &["drama", "adventure"],
        language: "en",
        runtime_minutes: 131,
        certificate: "15",
        opened_days_ago: 33,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Tuesdays at Margot's",
        original_title: "",
        director: "Céline Marchetti",
        synopsis: "A food critic who has never finished a meal and a chef who has never \
                   changed her menu are forced to share a kitchen for one season. Every \
                   Tuesday, something gets burned.",
        cast: &[
            "Celeste Arnaud",
            "Tom Ashdown",
            "Bea Okonkwo",
            "Lionel Prashad",
        ],
        genres: &["romance", "comedy"],
        language: "en",
        runtime_minutes: 104,
        certificate: "12A",
        opened_days_ago: 9,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Hollowmere",
        original_title: "",
        director: "Edgar Blackwood",
        synopsis: "A family buys a drained reservoir's lakeside house at auction. When the rain \
                   comes back, so does the village that was under the water.",
        cast: &["Greta Vaughan", "Simon Ashworth", "Maisie Cole"],
        genres: &["horror", "mystery"],
        language: "en",
        runtime_minutes: 97,
        certificate: "15",
        opened_days_ago: 7,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "The Clockwork Orchard",
        original_title: "",
        director: "Priya Raman",
        synopsis: "Ten-year-old Wren inherits her grandfather's orchard, where the apples tick. \
                   With a one-eyed crow and a very nervous robot she sets out to wind it up \
                   before the winter stops it for good.",
        cast: &[
            "Poppy Linden",
            "Marcus Fell",
            "Ada Brightwater",
            "Oscar Pennywhistle",
        ],
        genres: &["fantasy", "family", "adventure"],
        language: "en",
        runtime_minutes: 112,
        certificate: "PG",
        opened_days_ago: 16,
        blockbuster: false,
        three_d: true,
    },
    MovieSpec {
        title: "Night Shift at the Aurora",
        original_title: "",
        director: "Dev Kapoor",
        synopsis: "The night staff of a crumbling seaside hotel have one weekend to hide the \
                   fact that the hotel has been sold from the guests, the owner and each other. \
                   The owner checks in on Friday.",
        cast: &[
            "Declan Murrow",
            "Sunita Bhatt",
            "Reggie Thorne",
            "Agnes Pellow",
        ],
        genres: &["comedy"],
        language: "en",
        runtime_minutes: 94,
        certificate: "15",
        opened_days_ago: 4,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Pip and the Odd Socks",
        original_title: "",
        director: "Hattie Lowe",
        synopsis: "Behind every washing machine is a kingdom of lost socks, and Pip has just \
                   been crowned its very reluctant queen. An animated adventure for anyone who \
                   has ever wondered where the other one went.",
        cast: &["Lottie Fairbairn", "Benji Alder", "Harriet Crane"],
        genres: &["animation", "family", "comedy"],
        language: "en",
        runtime_minutes: 89,
        certificate: "U",
        opened_days_ago: 11,
        blockbuster: false,
        three_d: true,
    },
    MovieSpec {
        title: "The Long Way to Halcyon",
        original_title: "",
        director: "Samuel Okonjo",
        synopsis: "In 1952 a war widow answers an advertisement for a cook on a cattle drive \
                   and is the only woman for eight hundred miles. Based on letters found in an \
                   attic in Montana.",
        cast: &[
            "Eleanor Vance",
            "Jed Harlan",
            "Mateo Cruz",
            "Abigail Stroud",
        ],
        genres: &["drama", "adventure"],
        language: "en",
        runtime_minutes: 138,
        certificate: "12A",
        opened_days_ago: 40,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Velvet Static",
        original_title: "",
        director: "Ruby Castellano",
        synopsis: "A pirate radio DJ and a session singer with stage fright make one record in \
                   one night in 1967. It is the only record either of them ever makes, and the \
                   song everybody knows.",
        cast: &[
            "Kit Marlowe-Jones",
            "Ruby Sefton",
            "Leon Abara",
            "Dot Fennimore",
        ],
        genres: &["musical", "drama"],
        language: "en",
        runtime_minutes: 126,
        certificate: "12A",
        opened_days_ago: 14,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Grey Harbour Road",
        original_title: "",
        director: "Declan Moriarty",
        synopsis: "A detective six weeks from retirement is handed the case that ended her \
                   father's career. The suspect has been waiting for her, and he is not the \
                   only one.",
        cast: &["Moira Galbraith", "Stellan Rook", "Ade Ogunleye"],
        genres: &["crime", "thriller"],
        language: "en",
        runtime_minutes: 115,
        certificate: "18",
        opened_days_ago: 21,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "The Honeybee Year",
        original_title: "",
        director: "Ingrid Solberg",
        synopsis: "Filmed over twelve months inside a single hive on a London rooftop, this \
                   documentary follows one colony from the first spring flight to the winter \
                   cluster. Narrated by the beekeeper who nearly gave up on them.",
        cast: &["Hazel Okoro", "Bernard Tilley", "Yusuf Demir"],
        genres: &["documentary"],
        language: "en",
        runtime_minutes: 91,
        certificate: "U",
        opened_days_ago: 30,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Die Stille nach dem Regen",
        original_title: "",
        director: "Jürgen Albrecht",
        synopsis: "For thirty years a midwife in a village on the Oder has delivered every \
                   child born there. When the clinic in town is sent to replace her, the \
                   village closes ranks around her, and some old debts are settled.",
        cast: &[
            "Johanna Brettschneider",
            "Lukas Imhof",
            "Katrin Vogelsang",
            "Emil Straub",
        ],
        genres: &["drama"],
        language: "de",
        runtime_minutes: 109,
        certificate: "12A",
        opened_days_ago: 18,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Les Jours bleus",
        original_title: "",
        director: "Hélène Duclos",
        synopsis: "Two former lovers meet by chance on the night ferry from Marseille to \
                   Bastia. The crossing takes one night, and they have twenty years to catch \
                   up on.",
        cast: &["Camille Duvernoy", "Thibault Marchetti", "Inès Larbi"],
        genres: &["romance", "drama"],
        language: "fr",
        runtime_minutes: 102,
        certificate: "12A",
        opened_days_ago: 24,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "La casa de los relojes",
        original_title: "",
        director: "Aitana Ibarra",
        synopsis: "A restorer arrives at a mansion in Toledo to mend forty antique clocks. \
                   Every one of them stopped at the same minute, on the night the lady of the \
                   house disappeared.",
        cast: &[
            "Lucía Arrieta",
            "Gonzalo Peñalver",
            "Marisol Echeverri",
            "Tomás Ibarra",
        ],
        genres: &["mystery", "thriller"],
        language: "es",
        runtime_minutes: 121,
        certificate: "15",
        opened_days_ago: 10,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Kaze no Tegami",
        original_title: "風の手紙",
        director: "Haruka Mizushima",
        synopsis: "A girl who delivers letters by kite on a windy island finds one addressed \
                   to a lighthouse that has been dark for fifty years. A hand-drawn animated \
                   tale about the messages we send too late.",
        cast: &["Aoi Kanzaki", "Ren Hoshino", "Setsuko Imura"],
        genres: &["animation", "fantasy", "family"],
        language: "ja",
        runtime_minutes: 99,
        certificate: "PG",
        opened_days_ago: 15,
        blockbuster: false,
        three_d: false,
    },
    MovieSpec {
        title: "Midnight in Mapo",
        original_title: "마포의 자정",
        director: "Park Ji-won",
        synopsis: "A night-market cook in Seoul recognises the man who framed her brother \
                   ordering at her stall. She has until closing time to prove it, and he has \
                   ordered the set menu.",
        cast: &[
            "Han Seo-yeon",
            "Park Ji-hoon",
            "Choi Min-ah",
            "Yoon Dae-sung",
        ],
        genres: &["crime", "thriller"],
        language: "ko",
        runtime_minutes: 127,
        certificate: "15",
        opened_days_ago: 8,
        blockbuster: false,
        three_d: false,
    },
];
