//! What every page shows around its content: the site's header with the navigation and the
//! signed-in account (and its log-out form), and the links to the stylesheet and script.

use crate::assets;
use marquee_store::User;

/// The staff routes of ARCHITECTURE.md ("Web"), in the order the navigation shows them. A
/// route is listed once its page exists:
/// `/admin/price-plans`, `/admin/bookings` and `/admin/checkin` come next.
const STAFF_NAV: &[(&str, &str)] = &[
    ("/admin", "Today"),
    ("/admin/venues", "Venues"),
    ("/admin/films", "Films"),
    ("/admin/audit", "Audit log"),
];

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// The page being shown (`aria-current="page"`).
    pub current: bool,
}

pub struct Shell {
    /// The signed-in account's email, when someone is signed in.
    pub account: Option<String>,
    /// The CSRF token of the log-out form.
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

impl Shell {
    /// Nobody signed in (or nobody known): no navigation, no log-out.
    pub fn anonymous() -> Shell {
        Shell {
            account: None,
            csrf: String::new(),
            nav: Vec::new(),
        }
    }

    /// Someone signed in who may not use the back office yet (a member of staff who owes an
    /// authenticator): their account and log-out, no navigation.
    pub fn signed_in(user: &User, csrf: &str) -> Shell {
        Shell {
            account: Some(user.email.to_string()),
            csrf: csrf.to_string(),
            nav: Vec::new(),
        }
    }

    /// A staff page: the staff navigation, with `current` marked.
    pub fn staff(user: &User, csrf: &str, current: &str) -> Shell {
        Shell {
            account: Some(user.email.to_string()),
            csrf: csrf.to_string(),
            nav: STAFF_NAV
                .iter()
                .map(|&(href, label)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
        }
    }

    /// The path of an asset by its plain name (`app.css`): the one way templates name one.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }
}
