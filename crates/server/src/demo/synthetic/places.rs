//! Where synthetic films play: real cities (their own names, so "Zürich" and "Köln" are
//! there to be folded), each in its zone and currency with ticket prices of its own, and
//! invented cinemas named and addressed the way that city's language does it.

use super::super::venues::Tariff;
use super::rng::Rng;
use chrono_tz::Tz;

pub struct CitySpec {
    pub name: &'static str,
    pub timezone: Tz,
    pub currency: &'static str,
    /// Films in another language are subtitled in this one; also its cinemas' locale.
    pub language: &'static str,
    /// In minor units: a standard seat, the premium, 3D and IMAX extras, the booking fee.
    pub prices: [i64; 5],
    /// Bigger cities get more cinemas.
    pub weight: u32,
}

impl CitySpec {
    pub fn tariff(&self) -> Tariff {
        let [standard, premium_extra, three_d_extra, imax_extra, booking_fee] = self.prices;
        Tariff {
            standard,
            premium_extra,
            three_d_extra,
            imax_extra,
            booking_fee,
        }
    }
}

macro_rules! city {
    ($name:literal, $zone:expr, $currency:literal, $language:literal, $prices:expr, $weight:literal) => {
        CitySpec {
            name: $name,
            timezone: $zone,
            currency: $currency,
            language: $language,
            prices: $prices,
            weight: $weight,
        }
    };
}

use chrono_tz::{America, Australia, Europe};

/// The first cities are used first: a small catalog has the big ones. Every zone is a whole
/// number of hours from UTC, as `round_up` needs.
pub const CITIES: &[CitySpec] = &[
    city!(
        "London",
        Europe::London,
        "GBP",
        "en",
        [1250, 400, 200, 650, 75],
        3
    ),
    city!(
        "Paris",
        Europe::Paris,
        "EUR",
        "fr",
        [1300, 300, 250, 700, 0],
        3
    ),
    city!(
        "New York",
        America::New_York,
        "USD",
        "en",
        [1600, 450, 300, 700, 150],
        3
    ),
    city!(
        "Berlin",
        Europe::Berlin,
        "EUR",
        "de",
        [1250, 300, 300, 600, 100],
        3
    ),
    city!(
        "Madrid",
        Europe::Madrid,
        "EUR",
        "es",
        [950, 300, 200, 500, 50],
        2
    ),
    city!(
        "Los Angeles",
        America::Los_Angeles,
        "USD",
        "en",
        [1500, 450, 300, 700, 150],
        3
    ),
    city!(
        "Roma",
        Europe::Rome,
        "EUR",
        "it",
        [1000, 300, 250, 600, 50],
        2
    ),
    city!(
        "Zürich",
        Europe::Zurich,
        "CHF",
        "de",
        [1900, 500, 400, 800, 150],
        1
    ),
    city!(
        "Montréal",
        America::Toronto,
        "CAD",
        "fr",
        [1400, 400, 300, 700, 150],
        1
    ),
    city!(
        "Stockholm",
        Europe::Stockholm,
        "SEK",
        "sv",
        [14000, 3000, 3000, 7000, 1000],
        2
    ),
    city!(
        "Köln",
        Europe::Berlin,
        "EUR",
        "de",
        [1100, 300, 300, 600, 100],
        1
    ),
    city!(
        "Manchester",
        Europe::London,
        "GBP",
        "en",
        [1050, 350, 200, 600, 75],
        2
    ),
    city!(
        "Barcelona",
        Europe::Madrid,
        "EUR",
        "es",
        [1000, 300, 200, 500, 50],
        2
    ),
    city!(
        "Chicago",
        America::Chicago,
        "USD",
        "en",
        [1400, 400, 300, 650, 150],
        2
    ),
    city!(
        "Wien",
        Europe::Vienna,
        "EUR",
        "de",
        [1150, 300, 300, 600, 100],
        2
    ),
    city!(
        "Lisboa",
        Europe::Lisbon,
        "EUR",
        "pt",
        [800, 250, 200, 450, 50],
        1
    ),
    city!(
        "København",
        Europe::Copenhagen,
        "DKK",
        "da",
        [11000, 3000, 2500, 6000, 1500],
        1
    ),
    city!(
        "Sydney",
        Australia::Sydney,
        "AUD",
        "en",
        [2200, 500, 400, 900, 150],
        2
    ),
    city!(
        "Lyon",
        Europe::Paris,
        "EUR",
        "fr",
        [1100, 300, 250, 650, 0],
        1
    ),
    city!(
        "Toronto",
        America::Toronto,
        "CAD",
        "en",
        [1500, 400, 300, 700, 150],
        2
    ),
    city!(
        "Milano",
        Europe::Rome,
        "EUR",
        "it",
        [1050, 300, 250, 600, 50],
        1
    ),
    city!(
        "Hamburg",
        Europe::Berlin,
        "EUR",
        "de",
        [1200, 300, 300, 600, 100],
        2
    ),
    city!(
        "Edinburgh",
        Europe::London,
        "GBP",
        "en",
        [1100, 350, 200, 600, 75],
        1
    ),
    city!(
        "Kraków",
        Europe::Warsaw,
        "PLN",
        "pl",
        [2800, 700, 600, 1500, 200],
        1
    ),
    city!(
        "Praha",
        Europe::Prague,
        "CZK",
        "cs",
        [22000, 5000, 4000, 10000, 1000],
        1
    ),
    city!(
        "Melbourne",
        Australia::Melbourne,
        "AUD",
        "en",
        [2100, 500, 400, 900, 150],
        2
    ),
    city!(
        "Málaga",
        Europe::Madrid,
        "EUR",
        "es",
        [900, 250, 200, 450, 50],
        1
    ),
    city!(
        "Dublin",
        Europe::Dublin,
        "EUR",
        "en",
        [1200, 350, 200, 600, 100],
        2
    ),
    city!(
        "Göteborg",
        Europe::Stockholm,
        "SEK",
        "sv",
        [13000, 3000, 3000, 7000, 1000],
        1
    ),
    city!(
        "Amsterdam",
        Europe::Amsterdam,
        "EUR",
        "nl",
        [1300, 350, 250, 650, 100],
        2
    ),
    city!(
        "Oslo",
        Europe::Oslo,
        "NOK",
        "no",
        [13500, 3000, 3000, 7000, 1000],
        1
    ),
];

/// How a language names its cinemas, halls and streets.
struct Locale {
    language: &'static str,
    /// `{brand}` and `{place}` in a cinema's name.
    venue: &'static str,
    hall: &'static str,
    places: &'static [&'static str],
    streets: &'static [&'static str],
    /// The house number after the street (`Bahnhofstraße 12`), or before it (`12 High Street`).
    number_after: bool,
}

const LOCALES: &[Locale] = &[
    Locale {
        language: "en",
        venue: "{brand} {place}",
        hall: "Screen",
        places: &[
            "Riverside",
            "Central",
            "Old Town",
            "Northgate",
            "Harbourside",
            "Parkway",
            "Southbank",
            "Market Square",
            "Westfield",
            "Eastgate",
        ],
        streets: &[
            "High Street",
            "Station Road",
            "Market Street",
            "Church Lane",
            "Mill Road",
            "Park Avenue",
            "King Street",
            "Queen's Road",
            "Bridge Street",
            "Castle Hill",
        ],
        number_after: false,
    },
    Locale {
        language: "fr",
        venue: "Cinéma {brand} {place}",
        hall: "Salle",
        places: &[
            "Opéra",
            "Gare",
            "Centre",
            "Vieux Port",
            "Rive Gauche",
            "Les Halles",
            "Saint-Éloi",
            "Belle Époque",
        ],
        streets: &[
            "rue de la Gare",
            "boulevard Voltaire",
            "rue du Marché",
            "avenue des Champs",
            "rue Saint-Honoré",
            "quai de l'Horloge",
            "place de la République",
            "rue des Écoles",
        ],
        number_after: false,
    },
    Locale {
        language: "de",
        venue: "{brand} Filmtheater {place}",
        hall: "Saal",
        places: &[
            "Mitte", "am Markt", "Altstadt", "am Hafen", "Nord", "am Park", "Süd", "am Ring",
        ],
        streets: &[
            "Bahnhofstraße",
            "Hauptstraße",
            "Marktplatz",
            "Schillerstraße",
            "Königsallee",
            "Gartenweg",
            "Mühlenstraße",
            "Brückenstraße",
        ],
        number_after: true,
    },
    Locale {
        language: "es",
        venue: "Cines {brand} {place}",
        hall: "Sala",
        places: &[
            "Centro",
            "Plaza Mayor",
            "Estación",
            "Puerto",
            "Norte",
            "Jardines",
        ],
        streets: &[
            "Calle Mayor",
            "Avenida de la Constitución",
            "Calle del Sol",
            "Paseo del Prado",
            "Calle de Alcalá",
            "Plaza de España",
        ],
        number_after: true,
    },
    Locale {
        language: "it",
        venue: "Cinema {brand} {place}",
        hall: "Sala",
        places: &[
            "Centro",
            "Stazione",
            "Duomo",
            "Navigli",
            "Porta Nuova",
            "Trastevere",
        ],
        streets: &[
            "Via Roma",
            "Corso Italia",
            "Via Garibaldi",
            "Piazza Duomo",
            "Via Verdi",
        ],
        number_after: true,
    },
    Locale {
        language: "pt",
        venue: "Cinema {brand} {place}",
        hall: "Sala",
        places: &["Baixa", "Chiado", "Estação", "Alfama", "Avenida"],
        streets: &[
            "Rua Augusta",
            "Avenida da Liberdade",
            "Rua do Carmo",
            "Praça do Comércio",
        ],
        number_after: true,
    },
    Locale {
        language: "sv",
        venue: "Bio {brand} {place}",
        hall: "Salong",
        places: &["City", "Söder", "Hamnen", "Gamla stan", "Norr", "Torget"],
        streets: &[
            "Drottninggatan",
            "Storgatan",
            "Kungsgatan",
            "Hamngatan",
            "Götgatan",
        ],
        number_after: true,
    },
    Locale {
        language: "da",
        venue: "Biograf {brand} {place}",
        hall: "Sal",
        places: &["City", "Havnen", "Nørrebro", "Vesterbro", "Torvet"],
        streets: &[
            "Strøget",
            "Nørregade",
            "Vesterbrogade",
            "Østergade",
            "Søndergade",
        ],
        number_after: true,
    },
    Locale {
        language: "no",
        venue: "Kino {brand} {place}",
        hall: "Sal",
        places: &["Sentrum", "Aker Brygge", "Grünerløkka", "Torget", "Havna"],
        streets: &[
            "Karl Johans gate",
            "Storgata",
            "Bygdøy allé",
            "Torggata",
            "Øvre Slottsgate",
        ],
        number_after: true,
    },
    Locale {
        language: "nl",
        venue: "Bioscoop {brand} {place}",
        hall: "Zaal",
        places: &["Centrum", "Noord", "Oost", "Haven", "Museumplein"],
        streets: &[
            "Kalverstraat",
            "Prinsengracht",
            "Damrak",
            "Leidsestraat",
            "Stationsplein",
        ],
        number_after: true,
    },
    Locale {
        language: "pl",
        venue: "Kino {brand} {place}",
        hall: "Sala",
        places: &["Centrum", "Stare Miasto", "Kazimierz", "Dworzec", "Rynek"],
        streets: &[
            "ulica Floriańska",
            "ulica Długa",
            "aleja Róż",
            "ulica Grodzka",
        ],
        number_after: true,
    },
    Locale {
        language: "cs",
        venue: "Kino {brand} {place}",
        hall: "Sál",
        places: &["Centrum", "Staré Město", "Vinohrady", "Smíchov", "Náměstí"],
        streets: &[
            "Václavské náměstí",
            "Národní třída",
            "Karlova",
            "Vodičkova",
            "Žitná",
        ],
        number_after: true,
    },
];

const BRANDS: &[&str] = &[
    "Regent",
    "Lumen",
    "Electric",
    "Rex",
    "Astoria",
    "Empire",
    "Roxy",
    "Majestic",
    "Palace",
    "Plaza",
    "Capitol",
    "Orion",
    "Aurora",
    "Metropol",
    "Savoy",
    "Rialto",
    "Vista",
    "Phoenix",
    "Lux",
    "Scala",
    "Eden",
    "Apollo",
    "Colosseum",
    "Alhambra",
    "Corona",
    "Babylon",
    "Delphi",
    "Atlas",
    "Nova",
    "Odéon",
];

fn locale(language: &str) -> &'static Locale {
    LOCALES
        .iter()
        .find(|l| l.language == language)
        .unwrap_or(&LOCALES[0])
}

/// A cinema's name and address in `city`.
pub fn venue(rng: &mut Rng, city: &CitySpec) -> (String, String) {
    let locale = locale(city.language);
    let brand = *rng.pick(BRANDS);
    let place = *rng.pick(locale.places);
    let name = locale
        .venue
        .replace("{brand}", brand)
        .replace("{place}", place);
    let street = rng.pick(locale.streets);
    let number = rng.between(1, 240);
    let address = if locale.number_after {
        format!("{street} {number}, {}", city.name)
    } else {
        format!("{number} {street}, {}", city.name)
    };
    (name, address)
}

/// The name of a city's `n`th hall of a cinema (from 1).
pub fn hall(city: &CitySpec, n: usize) -> String {
    format!("{} {n}", locale(city.language).hall)
}
