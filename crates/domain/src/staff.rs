//! Staff: who runs the cinema, and what each of them may do.
//!
//! An owner runs everything. A manager runs given venues (their halls, schedule and prices),
//! the box office sells at the counter of given venues, an usher checks tickets in there.
//! Roles are ordered by what they allow: each one may do what the ones below it may. A
//! venue-scoped member of staff sees only their venues; another venue is, to them, not there.

use crate::ids::VenueId;
use chrono::Duration;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    Usher,
    BoxOffice,
    Manager,
    Owner,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [
        StaffRole::Owner,
        StaffRole::Manager,
        StaffRole::BoxOffice,
        StaffRole::Usher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Owner => "owner",
            StaffRole::Manager => "manager",
            StaffRole::BoxOffice => "box_office",
            StaffRole::Usher => "usher",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Whether this role is given venue by venue (all but the owner's).
    pub fn is_venue_scoped(self) -> bool {
        self != StaffRole::Owner
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one member of staff may reach: a role and, unless they own the place, the venues it
/// applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccess {
    pub role: StaffRole,
    /// Empty for an owner, who sees every venue.
    pub venues: Vec<VenueId>,
}

/// Why staff may not do something: their role is too low (403), or the venue is not theirs
/// (answered as if it did not exist: 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Role { needs: StaffRole },
    Venue,
}

impl StaffAccess {
    pub fn new(role: StaffRole, venues: Vec<VenueId>) -> Result<Self, StaffError> {
        match (role.is_venue_scoped(), venues.is_empty()) {
            (true, true) => Err(StaffError::NoVenues(role)),
            (false, false) => Err(StaffError::OwnerHasNoVenues),
            _ => {
                let mut venues = venues;
                venues.sort_unstable();
                venues.dedup();
                Ok(StaffAccess { role, venues })
            }
        }
    }

    /// Whether the role is at least `needs`.
    pub fn require(&self, needs: StaffRole) -> Result<(), Denied> {
        if self.role >= needs {
            Ok(())
        } else {
            Err(Denied::Role { needs })
        }
    }

    pub fn sees_venue(&self, venue: VenueId) -> bool {
        !self.role.is_venue_scoped() || self.venues.contains(&venue)
    }

    /// Whether `needs` may act on `venue`: the venue is checked first, so that staff of
    /// another venue learn nothing of it, not even that their role would not do.
    pub fn require_at(&self, needs: StaffRole, venue: VenueId) -> Result<(), Denied> {
        if !self.sees_venue(venue) {
            return Err(Denied::Venue);
        }
        self.require(needs)
    }

    /// The venues a listing is limited to: `None` for all of them.
    pub fn venue_filter(&self) -> Option<&[VenueId]> {
        self.role
            .is_venue_scoped()
            .then_some(self.venues.as_slice())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("a {0} works at one or more venues: name them")]
    NoVenues(StaffRole),
    #[error("an owner runs every venue: name none")]
    OwnerHasNoVenues,
}

/// How long an invitation to join the staff can be taken up.
pub const INVITATION_LIFETIME: Duration = Duration::hours(72);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_what_they_allow() {
        let manager = StaffAccess::new(StaffRole::Manager, vec![VenueId(2)]).unwrap();
        assert_eq!(manager.require(StaffRole::BoxOffice), Ok(()));
        assert_eq!(manager.require(StaffRole::Manager), Ok(()));
        assert_eq!(
            manager.require(StaffRole::Owner),
            Err(Denied::Role {
                needs: StaffRole::Owner
            })
        );
        let usher = StaffAccess::new(StaffRole::Usher, vec![VenueId(2)]).unwrap();
        assert!(usher.require(StaffRole::BoxOffice).is_err());
    }

    #[test]
    fn another_venue_is_denied_before_the_role_is_looked_at() {
        let usher = StaffAccess::new(StaffRole::Usher, vec![VenueId(2), VenueId(2)]).unwrap();
        assert_eq!(usher.venues, [VenueId(2)]);
        assert_eq!(
            usher.require_at(StaffRole::Manager, VenueId(3)),
            Err(Denied::Venue)
        );
        assert_eq!(
            usher.require_at(StaffRole::Manager, VenueId(2)),
            Err(Denied::Role {
                needs: StaffRole::Manager
            })
        );
        assert_eq!(usher.require_at(StaffRole::Usher, VenueId(2)), Ok(()));
        assert_eq!(usher.venue_filter(), Some(&[VenueId(2)][..]));
    }

    #[test]
    fn an_owner_sees_every_venue_and_names_none() {
        let owner = StaffAccess::new(StaffRole::Owner, vec![]).unwrap();
        assert!(owner.sees_venue(VenueId(99)));
        assert_eq!(owner.venue_filter(), None);
        assert_eq!(
            StaffAccess::new(StaffRole::Owner, vec![VenueId(1)]),
            Err(StaffError::OwnerHasNoVenues)
        );
        assert_eq!(
            StaffAccess::new(StaffRole::BoxOffice, vec![]),
            Err(StaffError::NoVenues(StaffRole::BoxOffice))
        );
    }

    #[test]
    fn role_names_read_back() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("admin"), None);
    }
}
