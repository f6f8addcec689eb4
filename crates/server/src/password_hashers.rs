//! A fixed pool of argon2 hashers, so that a flood of logins costs a fixed amount of memory.
//!
//! Each argon2id hash needs 19 MiB of working memory. Allocated per hash, that memory is freed
//! to glibc's arenas and not given back to the system: 64 concurrent registrations left a node
//! at 1.1 GB. Here each of `hashers` threads owns one block of that memory, allocated on its
//! first hash and reused for every hash after (`hash_password_into_with_memory`). Work waits
//! in a queue of at most `queue` requests, and one that waited longer than `max_wait` is not
//! started: the client is told to come back (`503 overloaded`) instead of waiting without end.
//!
//! Hashes are written and read as standard PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$...`),
//! exactly as `Argon2::default().hash_password` writes them, so stored hashes keep verifying.

use crate::error::{AppError, AppResult, ErrorCode};
use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use marquee_domain::Password;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How many hashes run at once, and how many may wait how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingConfig {
    /// Hashing threads, each holding 19 MiB once it has hashed.
    pub hashers: usize,
    /// Requests that may wait for a hasher; more are refused at once.
    pub queue: usize,
    /// A request that waited this long is refused instead of hashed.
    pub max_wait: Duration,
}

impl Default for HashingConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashingConfig {
            hashers: cores.min(4),
            queue: 64,
            max_wait: Duration::from_secs(3),
        }
    }
}

/// A client refused for a full queue may try again after about this long.
const RETRY_AFTER: Duration = Duration::from_secs(1);

enum Work {
    Hash(Password),
    Verify { password: String, phc: String },
}

enum Done {
    Hashed(String),
    Verified(bool),
}

struct Job {
    work: Work,
    queued_at: Instant,
    reply: oneshot::Sender<AppResult<Done>>,
}

/// The pool. Its threads stop when it is dropped.
pub struct PasswordHashers {
    jobs: SyncSender<Job>,
}

impl PasswordHashers {
    pub fn start(config: HashingConfig) -> anyhow::Result<PasswordHashers> {
        anyhow::ensure!(config.hashers > 0, "at least one password hasher is needed");
        let (jobs, queue) = mpsc::sync_channel(config.queue);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..config.hashers {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hasher-{n}"))
                .spawn(move || work(&queue, config.max_wait))?;
        }
        Ok(PasswordHashers { jobs })
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: Password) -> AppResult<String> {
        match self.run(Work::Hash(password)).await? {
            Done::Hashed(phc) => Ok(phc),
            Done::Verified(_) => Err(unexpected()),
        }
    }

    /// Whether `password` matches the stored PHC string `phc`.
    pub async fn verify(&self, password: String, phc: String) -> AppResult<bool> {
        match self.run(Work::Verify { password, phc }).await? {
            Done::Verified(matches) => Ok(matches),
            Done::Hashed(_) => Err(unexpected()),
        }
    }

    async fn run(&self, work: Work) -> AppResult<Done> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            work,
            queued_at: Instant::now(),
            reply,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(overloaded()),
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "every password hasher has stopped"
                )))
            }
        }
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("a password hasher stopped mid-job")))?
    }
}

fn overloaded() -> AppError {
    AppError::wait(
        ErrorCode::Overloaded,
        "too many logins at once; try again shortly",
        Some(RETRY_AFTER),
    )
}

fn unexpected() -> AppError {
    AppError::Internal(anyhow::anyhow!("a password hasher answered another job"))
}

/// One hasher thread: takes jobs until the pool is dropped.
fn work(queue: &Mutex<Receiver<Job>>, max_wait: Duration) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // Only one idle thread waits on the queue at a time; the lock is let go before hashing.
        let job = match queue.lock().unwrap_or_else(|p| p.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        if job.reply.is_closed() {
            // The client has gone: its hash would be thrown away.
            continue;
        }
        let answer = if job.queued_at.elapsed() > max_wait {
            Err(overloaded())
        } else {
            match job.work {
                Work::Hash(password) => hash(&mut memory, password.expose().as_bytes())
                    .map(Done::Hashed)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}"))),
                Work::Verify { password, phc } => verify(&mut memory, password.as_bytes(), &phc)
                    .map(Done::Verified)
                    .map_err(|e| {
                        AppError::Internal(anyhow::anyhow!("a stored password hash: {e}"))
                    }),
            }
        };
        let _ = job.reply.send(answer);
    }
}

/// The thread's working memory, grown (once) to what `params` needs. Marquee writes only the
/// default parameters; a stored hash with a larger memory cost would grow it for good, which
/// keeps the pool's memory bounded by the largest cost in the database.
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    &mut memory[..needed]
}

/// `Argon2::default().hash_password(password, fresh salt)`, on the thread's memory.
fn hash(memory: &mut Vec<Block>, password: &[u8]) -> argon2::password_hash::Result<String> {
    let argon2 = Argon2::default();
    let salt = SaltString::generate(&mut OsRng);
    hash_with_salt(&argon2, memory, password, &salt)
}

fn hash_with_salt(
    argon2: &Argon2<'_>,
    memory: &mut Vec<Block>,
    password: &[u8],
    salt: &SaltString,
) -> argon2::password_hash::Result<String> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2.hash_password_into_with_memory(
        password,
        salt_bytes,
        &mut output,
        blocks(memory, argon2.params()),
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output)?),
    };
    Ok(phc.to_string())
}

/// What `Argon2::default().verify_password` answers, on the thread's memory: the algorithm,
/// version and parameters are the stored hash's own.
fn verify(
    memory: &mut Vec<Block>,
    password: &[u8],
    phc: &str,
) -> argon2::password_hash::Result<bool> {
    let stored = PasswordHash::new(phc)?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Err(argon2::password_hash::Error::PhcStringField);
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = match stored.version {
        Some(version) => Version::try_from(version)?,
        None => Version::default(),
    };
    let params = Params::try_from(&stored)?;
    let argon2 = Argon2::new(algorithm, version, params);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut output = vec![0u8; expected.len()];
    argon2.hash_password_into_with_memory(
        password,
        salt_bytes,
        &mut output,
        blocks(memory, argon2.params()),
    )?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&output)? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

    #[test]
    fn writes_the_same_phc_string_as_the_argon2_crate() {
        let salt = SaltString::generate(&mut OsRng);
        let argon2 = Argon2::default();
        let ours = hash_with_salt(&argon2, &mut Vec::new(), b"correct horse", &salt).unwrap();
        let theirs = argon2
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
    }

    #[test]
    fn verifies_hashes_the_argon2_crate_wrote_with_reused_memory() {
        let salt = SaltString::generate(&mut OsRng);
        let stored = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let mut memory = Vec::new();
        assert!(verify(&mut memory, b"correct horse", &stored).unwrap());
        assert!(!verify(&mut memory, b"correct horsf", &stored).unwrap());
        assert!(verify(&mut memory, b"correct horse", &stored).unwrap());
        assert_eq!(memory.len(), Params::DEFAULT.block_count());
        // Other parameters (here a smaller memory cost) are the stored hash's own.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse", &salt)
        .unwrap()
        .to_string();
        assert!(verify(&mut memory, b"correct horse", &small).unwrap());
        assert!(!verify(&mut memory, b"wrong horse", &small).unwrap());
        assert!(verify(&mut memory, b"x", "not a hash").is_err());
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once_with_retry_after() {
        // One hasher, no room to wait: of many requests at once, some are refused.
        let hashers = Arc::new(
            PasswordHashers::start(HashingConfig {
                hashers: 1,
                queue: 1,
                max_wait: Duration::from_secs(60),
            })
            .unwrap(),
        );
        let attempts = (0..32).map(|_| {
            let hashers = hashers.clone();
            tokio::spawn(async move {
                hashers
                    .hash(Password::parse("correct horse").unwrap())
                    .await
            })
        });
        let mut refused = 0;
        let mut hashed = 0;
        for attempt in attempts.collect::<Vec<_>>() {
            match attempt.await.unwrap() {
                Ok(phc) => {
                    hashed += 1;
                    assert!(verify(&mut Vec::new(), b"correct horse", &phc).unwrap());
                }
                Err(AppError::Wait {
                    code: ErrorCode::Overloaded,
                    retry_after: Some(after),
                    ..
                }) => {
                    refused += 1;
                    assert_eq!(after, RETRY_AFTER);
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(
            hashed >= 1 && refused >= 1,
            "{hashed} hashed, {refused} refused"
        );
    }

    #[tokio::test]
    async fn a_request_that_waited_too_long_is_refused_unhashed() {
        let hashers = PasswordHashers::start(HashingConfig {
            hashers: 1,
            queue: 4,
            max_wait: Duration::ZERO,
        })
        .unwrap();
        let answer = hashers
            .hash(Password::parse("correct horse").unwrap())
            .await;
        assert!(
            matches!(
                answer,
                Err(AppError::Wait {
                    code: ErrorCode::Overloaded,
                    ..
                })
            ),
            "{answer:?}"
        );
    }
}
