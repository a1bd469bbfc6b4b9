//! The data streams of one direction: parallel HTTP/1.1 requests back to back, download
//! counted by the agent as it reads (in [`Bins`] of the agent's clock), upload of random,
//! incompressible data (counted by the collector).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::Url;

use super::{Dir, TICK, error_chain};

/// Upload body chunk.
const CHUNK: usize = 64 * 1024;

/// Bytes received in each [`TICK`] since `start`, counted as they arrive.
#[derive(Debug)]
pub(super) struct Bins {
    start: Instant,
    counts: Box<[AtomicU64]>,
}

impl Bins {
    pub(super) fn new(start: Instant, span: Duration) -> Bins {
        let n = (span.as_millis() / TICK.as_millis()) as usize + 1;
        Bins {
            start,
            counts: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn index(&self, at: Duration) -> usize {
        usize::try_from(at.as_millis() / TICK.as_millis()).unwrap_or(usize::MAX)
    }

    pub(super) fn add(&self, n: u64) {
        self.add_at(self.start.elapsed(), n);
    }

    fn add_at(&self, at: Duration, n: u64) {
        let i = self.index(at).min(self.counts.len() - 1);
        self.counts[i].fetch_add(n, Ordering::Relaxed);
    }

    /// The bins whose time ended more than 10 ms ago (a count taken just before a bin's
    /// end and added just after is not missed).
    pub(super) fn complete(&self) -> Vec<u64> {
        self.complete_at(self.start.elapsed())
    }

    fn complete_at(&self, now: Duration) -> Vec<u64> {
        let settled = now.saturating_sub(Duration::from_millis(10));
        let done = self.index(settled).min(self.counts.len());
        self.counts[..done]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect()
    }
}

/// Shared state of the streams of one direction.
#[derive(Debug)]
pub(super) struct Flow {
    /// Bytes read (download) or handed to the connection (upload, for the byte cap only).
    pub(super) bytes: AtomicU64,
    /// Download: bytes read, by when they were read.
    pub(super) bins: Bins,
    pub(super) stop: AtomicBool,
    pub(super) errors: Mutex<Vec<String>>,
}

impl Flow {
    pub(super) fn new(span: Duration) -> Flow {
        Flow {
            bytes: AtomicU64::new(0),
            bins: Bins::new(Instant::now(), span),
            stop: AtomicBool::new(false),
            errors: Mutex::new(Vec::new()),
        }
    }
}

/// One stream: requests back to back until the direction stops.
pub(super) async fn stream_loop(
    client: reqwest::Client,
    url: Url,
    dir: Dir,
    per_request: u64,
    flow: Arc<Flow>,
) {
    while !flow.stop.load(Ordering::Relaxed) {
        let result = match dir {
            Dir::Download => download_once(&client, &url, &flow).await,
            Dir::Upload => upload_once(&client, &url, per_request, &flow).await,
        };
        if let Err(e) = result {
            if let Ok(mut errs) = flow.errors.lock() {
                errs.push(e);
            }
            // Do not spin on a collector that refuses.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn download_once(client: &reqwest::Client, url: &Url, flow: &Flow) -> Result<(), String> {
    let mut resp = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    if !resp.status().is_success() {
        return Err(format!("download answered {}", resp.status()));
    }
    while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
        flow.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        flow.bins.add(chunk.len() as u64);
        if flow.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(())
}

async fn upload_once(
    client: &reqwest::Client,
    url: &Url,
    size: u64,
    flow: &Arc<Flow>,
) -> Result<(), String> {
    // Incompressible data; the collector counts what it receives, so what sits in our
    // buffers never inflates the figure.
    let block: bytes_pool::Block = bytes_pool::random_block();
    let chunks = size.div_ceil(CHUNK as u64);
    let flow2 = Arc::clone(flow);
    let body = futures_util::stream::iter(0..chunks).map(move |i| {
        let chunk = block.chunk(i as usize);
        flow2.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(chunk)
    });
    let resp = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .header(reqwest::header::CONTENT_LENGTH, chunks * CHUNK as u64)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    if !resp.status().is_success() {
        return Err(format!("upload answered {}", resp.status()));
    }
    Ok(())
}

/// Random upload data, made once per process.
mod bytes_pool {
    use std::sync::OnceLock;

    use bytes::Bytes;

    /// 1 MiB of random bytes, handed out in 64 KiB slices (no copy).
    #[derive(Debug, Clone)]
    pub struct Block(Bytes);

    pub fn random_block() -> Block {
        static BLOCK: OnceLock<Bytes> = OnceLock::new();
        Block(
            BLOCK
                .get_or_init(|| {
                    let mut v = vec![0u8; 16 * super::CHUNK];
                    rand::fill(&mut v[..]);
                    Bytes::from(v)
                })
                .clone(),
        )
    }

    impl Block {
        pub fn chunk(&self, i: usize) -> Bytes {
            let n = self.0.len() / super::CHUNK;
            let start = (i % n) * super::CHUNK;
            self.0.slice(start..start + super::CHUNK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_by_arrival_and_hold_back_the_current_one() {
        let ms = Duration::from_millis;
        let b = Bins::new(Instant::now(), Duration::from_secs(1));
        b.add_at(ms(5), 10);
        b.add_at(ms(150), 5);
        b.add_at(ms(199), 1);
        // Bin 0 is complete 10 ms after its end, not before.
        assert!(b.complete_at(ms(105)).is_empty());
        assert_eq!(b.complete_at(ms(111)), vec![10]);
        assert_eq!(b.complete_at(ms(250)), vec![10, 6]);
        // Past the span, counts go to the last bin; never more bins than the span.
        b.add_at(ms(5000), 7);
        let all = b.complete_at(ms(5000));
        assert_eq!(all.len(), 11);
        assert_eq!(all.iter().sum::<u64>(), 23);
    }
}
