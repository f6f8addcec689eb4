//! The demo's cities, cinemas and screens. The venues are invented; the streets are real
//! enough that an address looks like one.
//!
//! Layouts are written indented here for reading; `dedent` strips that before parsing, so the
//! stored text is what an admin would have typed.

use chrono_tz::Tz;

pub(super) struct CitySpec {
    pub name: &'static str,
    pub timezone: Tz,
    pub currency: &'static str,
    /// Films in another language get subtitles in this one.
    pub language: &'static str,
    pub tariff: Tariff,
    pub venues: &'static [VenueSpec],
}

/// A city's ticket prices in its currency's minor units.
pub(super) struct Tariff {
    pub standard: i64,
    pub premium_extra: i64,
    pub three_d_extra: i64,
    pub imax_extra: i64,
    pub booking_fee: i64,
}

pub(super) struct VenueSpec {
    pub name: &'static str,
    pub address: &'static str,
    pub auditoriums: &'static [AuditoriumSpec],
}

pub(super) struct AuditoriumSpec {
    pub name: &'static str,
    pub screen: Screen,
    /// The local time of the first showtime each day; halls open at different times so a
    /// venue's listing is not one column of identical start times.
    pub opens_at: (u32, u32),
    pub layout: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Screen {
    Flat,
    /// Shows films that have a 3D print in 3D.
    ThreeD,
    /// Shows only the blockbusters, all in IMAX.
    Imax,
}

/// Strips the indentation and blank lines the source adds around a layout.
pub(super) fn dedent(layout: &str) -> String {
    layout
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) const CITIES: &[CitySpec] = &[
    CitySpec {
        name: "London",
        timezone: chrono_tz::Europe::London,
        currency: "GBP",
        language: "en",
        tariff: Tariff {
            standard: 1250,
            premium_extra: 400,
            three_d_extra: 200,
            imax_extra: 650,
            booking_fee: 75,
        },
        venues: &[
            VenueSpec {
                name: "The Regent Picturehouse",
                address: "14 Charlotte Street, London W1T 2LX",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "Screen 1",
                        screen: Screen::ThreeD,
                        opens_at: (11, 0),
                        // British cinemas skip row I, which reads as a 1.
                        layout: "
                            # A centre aisle; the back two rows are premium recliners.
                            A  wcssss.sssscw
                            B  ssssss.ssssss
                            C  ssssss.ssssss
                            D  sssssss.sssssss
                            E  sssssss.sssssss
                            F  sssssss.sssssss
                            G  sssssss.sssssss
                            H  sssssss.sssssss
                            J  ppppppp.ppppppp
                            K  ppppppp.ppppppp
                        ",
                    },
                    AuditoriumSpec {
                        name: "Screen 2",
                        screen: Screen::Flat,
                        opens_at: (12, 15),
                        layout: "
                            # The art-house room: forty-odd seats, sofas at the back.
                            A  .ssssss.
                            B  ssssssss
                            C  ssssssss
                            D  ssssssss
                            E  ssssssss
                            F  pppppppp
                        ",
                    },
                    AuditoriumSpec {
                        name: "The Circle",
                        screen: Screen::Flat,
                        opens_at: (11, 30),
                        layout: "
                            # Stalls
                            A  wc.ssssssssss.cw
                            B  ss.ssssssssss.ss
                            C  ss.ssssssssss.ss
                            D  ss.ssssssssss.ss
                            E  ss.ssssssssss.ss
                            F  ss.ssssssssss.ss
                            G  ss.ssssssssss.ss
                            H  ss.ssssssssss.ss
                            # The old dress circle above the stalls, sold as premium.
                            CA  ..pppppppppppp..
                            CB  pppppppppppppppp
                            CC  pppppppppppppppp
                            CD  pppppppppppppppp
                        ",
                    },
                ],
            },
            VenueSpec {
                name: "Lumen Southbank",
                address: "47 Upper Ground, London SE1 9PP",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "IMAX",
                        screen: Screen::Imax,
                        opens_at: (11, 0),
                        layout: "
                            # Stadium seating; the premium band sits at the screen's eye line.
                            A  ......ssssssssssssssssssss......
                            B  ....ssssssssssssssssssssssss....
                            C  ..ssssssssssssssssssssssssssss..
                            D  wcwcssss.ssssssssssssssss.sssscwcw
                            E  ssssssss.ssssssssssssssss.ssssssss
                            F  ssssssss.ssssssssssssssss.ssssssss
                            G  ssssssss.ssssssssssssssss.ssssssss
                            H  ssssssss.ssssssssssssssss.ssssssss
                            J  ssssssss.pppppppppppppppp.ssssssss
                            K  ssssssss.pppppppppppppppp.ssssssss
                            L  ssssssss.pppppppppppppppp.ssssssss
                            M  ssssssss.ssssssssssssssss.ssssssss
                            N  ssssssss.ssssssssssssssss.ssssssss
                            P  ssssssss.ssssssssssssssss.ssssssss
                            Q  ssssssss.ssssssssssssssss.ssssssss
                            R  ssssssss.ssssssssssssssss.ssssssss
                        ",
                    },
                    AuditoriumSpec {
                        name: "Screen 2",
                        screen: Screen::ThreeD,
                        opens_at: (11, 45),
                        layout: "
                            # A wide hall with two aisles.
                            A  wcsss.ssssssssss.ssscw
                            B  sssss.ssssssssss.sssss
                            C  sssss.ssssssssss.sssss
                            D  sssss.ssssssssss.sssss
                            E  sssss.ssssssssss.sssss
                            F  sssss.pppppppppp.sssss
                            G  sssss.pppppppppp.sssss
                            H  sssss.ssssssssss.sssss
                            J  sssss.ssssssssss.sssss
                        ",
                    },
                ],
            },
        ],
    },
    CitySpec {
        name: "New York",
        timezone: chrono_tz::America::New_York,
        currency: "USD",
        language: "en",
        tariff: Tariff {
            standard: 1600,
            premium_extra: 450,
            three_d_extra: 300,
            imax_extra: 700,
            booking_fee: 150,
        },
        venues: &[
            VenueSpec {
                name: "Hudson Street Cinemas",
                address: "312 Hudson Street, New York, NY 10013",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "Theater 1",
                        screen: Screen::ThreeD,
                        opens_at: (11, 0),
                        layout: "
                            # Two aisles; the whole back half is power recliners.
                            A  wcss.ssssssssssss.sscw
                            B  ssss.ssssssssssss.ssss
                            C  ssss.ssssssssssss.ssss
                            D  ssss.ssssssssssss.ssss
                            E  ssss.ssssssssssss.ssss
                            F  pppp.pppppppppppp.pppp
                            G  pppp.pppppppppppp.pppp
                            H  pppp.pppppppppppp.pppp
                            J  pppp.pppppppppppp.pppp
                            K  pppp.pppppppppppp.pppp
                        ",
                    },
                    AuditoriumSpec {
                        name: "Theater 2",
                        screen: Screen::Flat,
                        opens_at: (11, 20),
                        layout: "
                            # Stadium rows with one aisle down the left wall.
                            A  .wcssssssssss
                            B  .ssssssssssss
                            C  .ssssssssssss
                            D  .ssssssssssss
                            E  .ssssssssssss
                            F  .ssssssssssss
                            G  .ssssssssssss
                            H  .ssssssssssss
                        ",
                    },
                    AuditoriumSpec {
                        name: "Theater 3",
                        screen: Screen::Flat,
                        opens_at: (12, 0),
                        layout: "
                            A  sssss.sssss
                            B  sssss.sssss
                            C  sssss.sssss
                            D  sssss.sssss
                            E  sssss.sssss
                            F  ppppp.ppppp
                        ",
                    },
                ],
            },
            VenueSpec {
                name: "The Bowery Screening Room",
                address: "145 Bowery, New York, NY 10002",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "Room A",
                        screen: Screen::Flat,
                        opens_at: (12, 30),
                        layout: "
                            # A screening room: couches in front, then raked rows.
                            A  pp.pp.pp
                            B  ssssssss
                            C  ssssssss
                            D  ssssssss
                            E  wcsssscw
                        ",
                    },
                    AuditoriumSpec {
                        name: "The Grand",
                        screen: Screen::ThreeD,
                        opens_at: (11, 10),
                        layout: "
                            # The old vaudeville house: a fan of rows and a mezzanine.
                            A  ....ssssssssssss....
                            B  ...ssssssssssssss...
                            C  ..ssssssss.ssssssss..
                            D  .sssssssss.sssssssss.
                            E  ssssssssss.ssssssssss
                            F  ssssssssss.ssssssssss
                            G  ssssssssss.ssssssssss
                            H  ssssssssss.ssssssssss
                            J  wcssssssss.sssssssscw
                            # Mezzanine
                            MA  pppppppp.pppppppp
                            MB  pppppppp.pppppppp
                            MC  pppppppp.pppppppp
                        ",
                    },
                ],
            },
        ],
    },
    CitySpec {
        name: "Berlin",
        timezone: chrono_tz::Europe::Berlin,
        currency: "EUR",
        language: "de",
        tariff: Tariff {
            standard: 1150,
            premium_extra: 300,
            three_d_extra: 250,
            imax_extra: 600,
            booking_fee: 80,
        },
        venues: &[
            VenueSpec {
                name: "Kino Lichtspiel Mitte",
                address: "Rosenthaler Straße 39, 10178 Berlin",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "Saal 1",
                        screen: Screen::Flat,
                        opens_at: (11, 15),
                        layout: "
                            # A long, narrow hall with its aisle on the right.
                            A  wcssssss.
                            B  ssssssss.
                            C  ssssssss.
                            D  ssssssss.
                            E  ssssssss.
                            F  ssssssss.
                            G  ssssssss.
                            H  ssssssss.
                            I  ssssssss.
                            J  ssssssss.
                            K  pppppppp.
                            L  pppppppp.
                        ",
                    },
                    AuditoriumSpec {
                        name: "Saal 2",
                        screen: Screen::Flat,
                        opens_at: (12, 45),
                        layout: "
                            A  ssss.ssss
                            B  ssss.ssss
                            C  ssss.ssss
                            D  ssss.ssss
                        ",
                    },
                ],
            },
            VenueSpec {
                name: "Filmpalast am Ostkreuz",
                address: "Sonntagstraße 12, 10245 Berlin",
                auditoriums: &[
                    AuditoriumSpec {
                        name: "Großer Saal",
                        screen: Screen::ThreeD,
                        opens_at: (11, 0),
                        layout: "
                            # Two aisles; the Loge in the middle is premium.
                            A  wcwcss.ssssssssssss.sscwcw
                            B  ssssss.ssssssssssss.ssssss
                            C  ssssss.ssssssssssss.ssssss
                            D  ssssss.ssssssssssss.ssssss
                            E  ssssss.ssssssssssss.ssssss
                            F  ssssss.pppppppppppp.ssssss
                            G  ssssss.pppppppppppp.ssssss
                            H  ssssss.pppppppppppp.ssssss
                            I  ssssss.ssssssssssss.ssssss
                            J  ssssss.ssssssssssss.ssssss
                            K  ssssss.ssssssssssss.ssssss
                        ",
                    },
                    AuditoriumSpec {
                        name: "Studio",
                        screen: Screen::Flat,
                        opens_at: (11, 40),
                        layout: "
                            A  ssssss.ssssss
                            B  ssssss.ssssss
                            C  ssssss.ssssss
                            D  ssssss.ssssss
                            E  ssssss.ssssss
                            F  ssssss.ssssss
                            G  wcssss.sssscw
                        ",
                    },
                ],
            },
        ],
    },
];
