//! The store conformance suite: every test here runs against every backend.
//!
//! A backend's `tests/conformance.rs` says `marquee_store::conformance_suite!(fresh)`, where
//! `fresh()` returns a new, empty, migrated store and a guard that removes it when dropped.
//! Tests take the time from a fixed instant, never the wall clock, and never sleep.

mod accounts;
mod batch;
mod bookings;
mod bulk;
mod cancellations;
mod catalog;
mod dashboard;
pub mod fixtures;
mod mail;
mod payments;
mod race;
mod ticket_types;

pub use accounts::*;
pub use batch::*;
pub use bookings::*;
pub use bulk::*;
pub use cancellations::*;
pub use catalog::*;
pub use dashboard::*;
pub use mail::*;
pub use payments::*;
pub use race::*;
pub use ticket_types::*;

/// Expands to one `#[tokio::test]` per conformance test, each on a fresh store from `$fresh`,
/// an async fn returning `(Arc<S>, Guard)` with `S: UnguardedHold`.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@tests $fresh;
            catalog_reads_back_what_was_written,
            a_bulk_catalog_is_written_as_one_at_a_time_writes_it,
            a_bulk_schedule_with_a_clash_or_an_unknown_event_writes_nothing,
            events_and_showtimes_are_filtered_by_city_and_day,
            an_auditorium_hosts_one_showtime_at_a_time,
            an_upcoming_showtime_takes_its_halls_new_layout_and_a_started_one_keeps_its,
            access_needs_are_kept_with_their_booking,
            a_ticket_is_admitted_once_even_by_two_scanners_at_once,
            a_venues_turnover_sizes_its_showtimes,
            a_second_factor_code_counts_once,
            a_showtime_needs_a_price_for_every_category_of_its_layout,
            a_hold_prices_each_seat_as_its_ticket_type,
            an_unknown_ticket_type_is_refused_and_holds_nothing,
            a_venue_price_plan_is_replaced_whole,
            a_later_plan_change_leaves_scheduled_prices_alone,
            emails_are_unique_whatever_their_case,
            sessions_end_at_their_expiry_and_on_logout,
            a_password_reset_link_is_used_once,
            an_outbox_message_is_claimed_by_one_node_and_sent_once,
            mail_without_smtp_lands_in_the_mailbox_once,
            a_venue_scoped_reader_sees_only_its_venues_mail,
            nodes_claiming_at_once_never_share_a_message,
            a_checkout_that_runs_out_queues_hold_expired_and_a_plain_hold_nothing,
            a_staff_invitation_queues_its_link_for_the_invitee,
            a_password_reset_link_expires,
            of_concurrent_uses_of_a_reset_link_one_wins,
            a_seat_is_never_held_by_two_live_bookings,
            a_hold_is_all_or_nothing,
            unknown_seats_are_refused_and_change_nothing,
            an_expired_hold_blocks_no_one_even_before_the_sweeper,
            the_sweeper_expires_stale_holds_and_frees_their_seats,
            amounts_are_integer_minor_units_from_the_price_list,
            releasing_a_hold_frees_its_seats_once,
            a_user_sees_and_releases_only_their_own_bookings,
            a_users_bookings_come_in_pages_newest_first,
            holds_are_refused_outside_the_sales_window,
            a_taken_reference_is_refused_and_changes_nothing,
            concurrent_holds_never_double_sell_a_seat,
            concurrent_batches_never_double_sell_a_seat,
            a_batch_decides_each_hold_on_its_own_in_order,
            a_batch_of_refusals_changes_nothing,
            a_batch_takes_seats_whose_hold_ran_out,
            the_race_test_sees_a_double_sale_by_an_unguarded_write,
            seats_of_an_expired_hold_go_to_exactly_one_racer,
            checkout_moves_a_live_hold_to_payment_pending_once,
            checkout_is_for_the_owner_and_a_live_hold_only,
            a_booking_waiting_for_its_payment_expires_with_its_hold,
            a_success_sells_the_seats_and_writes_a_ticket_per_seat,
            each_event_is_applied_at_most_once,
            a_failure_frees_the_seats_and_a_late_one_changes_nothing,
            a_success_after_a_failure_still_confirms,
            a_late_payment_buys_free_seats_and_is_refunded_for_taken_ones,
            a_payment_for_released_seats_is_refunded,
            a_report_for_an_unknown_payment_is_acknowledged_once,
            housekeeping_deletes_only_what_nobody_needs,
            the_sandbox_keeps_one_payment_per_booking_and_settles_it_once,
            a_success_never_takes_seats_another_hold_has,
            a_refund_owed_stays_owed,
            a_refund_after_the_sale_frees_the_seats_and_voids_the_tickets,
            a_failed_payment_stays_open_until_canceled,
            reconciliation_pages_and_backs_off,
            one_node_at_a_time_has_a_jobs_turn,
            a_late_payment_records_the_expiry_it_overtook,
            the_dashboard_counts_each_venue_within_its_own_day,
            cancelling_a_showtime_refunds_each_booking_once_even_run_twice,
            a_booking_is_cancelled_once_and_its_seats_are_free_at_once,
            a_reminder_is_queued_once_when_its_venue_says,
        );
    };
    (@tests $fresh:path; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let (store, _guard) = $fresh().await;
            $crate::conformance::$name(store).await;
        }
    )*};
}
