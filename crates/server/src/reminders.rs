//! Reminders before the show: a venue's setting (how many hours before, 0 for none), read and
//! set by its staff. The job that queues them is `jobs::queue_reminders`; the letter is the
//! mail worker's `showtime_reminder`.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::staff::StaffUser;
use marquee_domain::reminders::MAX_HOURS_BEFORE;
use marquee_domain::VenueId;
use marquee_store::Actor;

/// How many hours before its showtimes a venue of the staff member's reminds its customers.
pub async fn hours_before(app: &App, staff: &StaffUser, venue: VenueId) -> AppResult<u32> {
    crate::back_office::venue(app, staff, venue).await?;
    Ok(app.store().reminder_hours(venue).await?)
}

/// Sets it: 0 (no reminders) to `MAX_HOURS_BEFORE`; audited as `reminder.update`.
pub async fn set_hours_before(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    hours: u32,
) -> AppResult<()> {
    if hours > MAX_HOURS_BEFORE {
        return Err(AppError::invalid(
            ErrorCode::InvalidRequest,
            format!("hours_before is 0 (no reminders) to {MAX_HOURS_BEFORE}"),
        ));
    }
    crate::back_office::venue(app, staff, venue).await?;
    let by = Actor::staff(
        staff.user.id,
        app.now(),
        "reminder.update",
        |hours: &u32| serde_json::json!({ "hours_before": hours }),
    );
    app.store().set_reminder_hours(venue, hours, by).await?;
    Ok(())
}
