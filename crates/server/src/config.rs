//! Settings of one Marquee node. The CLI fills them from flags and `MARQUEE_*` variables.

use chrono::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://marquee.db` (the default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Connections to PostgreSQL per node; SQLite uses one writer and four readers whatever this says.
    pub database_max_connections: u32,
    /// How long a hold keeps its seats.
    pub hold_ttl: Duration,
    /// How long a login token lasts.
    pub session_ttl: Duration,
    /// How often the sweeper moves expired holds to `expired`. Expiry does not wait for it:
    /// an expired hold blocks no one from the moment it runs out.
    pub sweep_interval: std::time::Duration,
    /// How old a cached seat map may grow before it is read again. This node's own holds and
    /// releases show at once; other nodes' show within this time.
    pub seat_map_max_age: Duration,
    /// Tells this node's booking ids from other nodes'; unique per live node, 0 to 1023.
    pub node_id: u16,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://marquee.db".into(),
            database_max_connections: 20,
            hold_ttl: Duration::minutes(10),
            session_ttl: Duration::days(30),
            sweep_interval: std::time::Duration::from_secs(15),
            seat_map_max_age: Duration::seconds(1),
            node_id: 0,
        }
    }
}
