//! What every page shows around its content: the site's header with the navigation and the
//! signed-in account (and its log-out form), and the links to the stylesheet and script.

use crate::assets;
use crate::session::SignedIn;
use marquee_domain::StaffRole;
use marquee_server::staff::StaffUser;
use marquee_store::User;

/// The staff routes of ARCHITECTURE.md ("Web"), in the order the navigation shows them, with
/// the role each needs (a link is shown to those who may follow it). A venue's week and
/// schedule are reached from its page.
const STAFF_NAV: &[(&str, &str, StaffRole)] = &[
    ("/admin", "Today", StaffRole::BoxOffice),
    ("/admin/checkin", "Check-in", StaffRole::Usher),
    ("/admin/bookings", "Bookings", StaffRole::BoxOffice),
    ("/admin/venues", "Venues", StaffRole::Manager),
    ("/admin/films", "Films", StaffRole::Manager),
    ("/admin/price-plans", "Price plans", StaffRole::Manager),
    ("/admin/audit", "Audit log", StaffRole::Manager),
    ("/admin/mail", "Mail", StaffRole::Manager),
    ("/admin/staff", "Staff", StaffRole::Owner),
];

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// The page being shown (`aria-current="page"`).
    pub current: bool,
}

/// The customer site's navigation, in order.
const CUSTOMER_NAV: &[(&str, &str)] = &[
    ("/", "What's on"),
    ("/search", "Search"),
    ("/bookings", "My bookings"),
];

pub struct Shell {
    /// The signed-in account's email, when someone is signed in.
    pub account: Option<String>,
    /// The CSRF token of the log-out form.
    pub csrf: String,
    pub nav: Vec<NavLink>,
    /// Which site the page is of: the customer site, or the back office (`/admin`).
    pub site: Site,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Customer,
    BackOffice,
}

impl Site {
    /// Where the brand in the header leads.
    pub fn home(self) -> &'static str {
        match self {
            Site::Customer => "/",
            Site::BackOffice => "/admin",
        }
    }

    /// What the navigation is called, for screen readers.
    pub fn nav_label(self) -> &'static str {
        match self {
            Site::Customer => "Site",
            Site::BackOffice => "Back office",
        }
    }
}

impl Shell {
    /// Nobody signed in (or nobody known): no navigation, no log-out.
    pub fn anonymous() -> Shell {
        Shell {
            account: None,
            csrf: String::new(),
            nav: Vec::new(),
            site: Site::BackOffice,
        }
    }

    /// A page of the customer site, for someone signed in or not; `current` is the path of
    /// the navigation's link to mark as the page shown, if any.
    pub fn customer(signed_in: Option<&SignedIn>, current: &str) -> Shell {
        Shell {
            account: signed_in.map(|s| s.user.email.to_string()),
            csrf: signed_in.map(|s| s.csrf.clone()).unwrap_or_default(),
            nav: CUSTOMER_NAV
                .iter()
                .map(|&(href, label)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
            site: Site::Customer,
        }
    }

    /// Someone signed in who may not use the back office yet (a member of staff who owes an
    /// authenticator): their account and log-out, no navigation.
    pub fn signed_in(user: &User, csrf: &str) -> Shell {
        Shell {
            account: Some(user.email.to_string()),
            csrf: csrf.to_string(),
            nav: Vec::new(),
            site: Site::BackOffice,
        }
    }

    /// A staff page: the navigation `staff` may follow, with `current` marked.
    pub fn staff(signed_in: &SignedIn, staff: &StaffUser, current: &str) -> Shell {
        Shell {
            account: Some(signed_in.user.email.to_string()),
            csrf: signed_in.csrf.clone(),
            nav: STAFF_NAV
                .iter()
                .filter(|(_, _, needs)| staff.access.require(*needs).is_ok())
                .map(|&(href, label, _)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
            site: Site::BackOffice,
        }
    }

    /// The path of an asset by its plain name (`app.css`): the one way templates name one.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }
}
