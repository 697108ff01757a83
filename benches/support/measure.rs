//! Timing helpers: interleaved rounds for side-by-side ratios, and latency percentiles.
//!
//! Also compiled into kv-envelope's `message_cost` bench (through `#[path]`), so the
//! thread-CPU clock and the medians have this one home.

use std::time::Duration;

/// How long and how often to measure; scaled up by `KV_BENCH_LONG=1`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Rounds of interleaved local measurements (the median round is reported).
    pub rounds: usize,
    /// Target duration of one batch of a local measurement.
    pub batch: Duration,
    /// Duration of each remote load run (after its warm-up).
    pub remote_run: Duration,
    /// Warm-up before each remote load run.
    pub remote_warmup: Duration,
    /// Alternating slices per client in each remote run.
    pub remote_slices: u32,
    /// Duration of each concurrent-verify run.
    pub scaling_run: Duration,
    /// Repetitions of each envelope measurement (best is reported).
    pub envelope_reps: usize,
}

impl Budget {
    /// The default (short) budget, or the long one when `KV_BENCH_LONG` is set to `1`.
    pub fn from_env() -> Self {
        if std::env::var("KV_BENCH_LONG").is_ok_and(|v| v == "1") {
            Self {
                rounds: 41,
                batch: Duration::from_millis(20),
                remote_run: Duration::from_secs(10),
                remote_warmup: Duration::from_secs(1),
                remote_slices: 16,
                scaling_run: Duration::from_secs(5),
                envelope_reps: 5,
            }
        } else {
            Self {
                rounds: 25,
                batch: Duration::from_millis(8),
                remote_run: Duration::from_millis(2500),
                remote_warmup: Duration::from_millis(300),
                remote_slices: 8,
                scaling_run: Duration::from_millis(1500),
                envelope_reps: 2,
            }
        }
    }
}

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`). Local variants
/// are timed with it, so time slices lost to other processes on a shared machine do not
/// count against whichever variant happened to be running.
pub fn thread_cpu_time() -> Duration {
    cpu_clock(3) // CLOCK_THREAD_CPUTIME_ID
}

/// CPU time consumed by the whole process (`CLOCK_PROCESS_CPUTIME_ID`), every thread.
pub fn process_cpu_time() -> Duration {
    cpu_clock(2) // CLOCK_PROCESS_CPUTIME_ID
}

fn cpu_clock(clock: i32) -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (64-bit Linux layout); the call only
    // writes it.
    let rc = unsafe { clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime({clock})");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A stopwatch over the calling thread's CPU time.
#[derive(Clone, Copy, Debug)]
pub struct CpuTimer(Duration);

impl CpuTimer {
    /// Starts measuring.
    pub fn start() -> Self {
        Self(thread_cpu_time())
    }

    /// CPU time of this thread since `start`.
    pub fn elapsed(self) -> Duration {
        thread_cpu_time().saturating_sub(self.0)
    }
}

/// Seconds of thread CPU time per call of `op`, over `iters` calls.
pub fn per_call(iters: usize, mut op: impl FnMut()) -> f64 {
    let start = CpuTimer::start();
    for _ in 0..iters {
        op();
    }
    start.elapsed().as_secs_f64() / iters.max(1) as f64
}

/// The median, minimum and maximum of `v`, which must not be empty.
pub fn median_min_max(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// Iterations that make one batch of `op` last about `target` (at least 1).
pub fn calibrate(target: Duration, mut op: impl FnMut(u64) -> Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let t = op(n);
        if t >= target / 4 || n >= 1 << 30 {
            let per = t.as_secs_f64() / n as f64;
            return ((target.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        n *= 4;
    }
}

/// Times of several variants of one operation, measured in interleaved rounds.
#[derive(Clone, Debug)]
pub struct Rounds {
    /// Per variant, nanoseconds per iteration in each round.
    samples: Vec<Vec<f64>>,
}

impl Rounds {
    /// The median time per iteration of variant `v`, in nanoseconds.
    pub fn median_ns(&self, v: usize) -> f64 {
        median(self.samples[v].clone())
    }

    /// The median over rounds of `a`'s time divided by `b`'s in the same round. Both ran
    /// back to back, so a slow phase of the machine (another process, frequency scaling)
    /// scales both and cancels out of the ratio: steadier than a ratio of medians.
    pub fn ratio(&self, a: usize, b: usize) -> f64 {
        median(
            self.samples[a]
                .iter()
                .zip(&self.samples[b])
                .map(|(x, y)| x / y)
                .collect(),
        )
    }
}

/// Measures several variants of one operation in interleaved rounds (A B C A B C ...), so a
/// burst of load from elsewhere on the machine hits every variant alike. Each variant is a
/// closure timing `n` iterations.
pub fn interleaved(budget: &Budget, variants: &mut [&mut dyn FnMut(u64) -> Duration]) -> Rounds {
    let first = variants
        .first_mut()
        .map(|v| calibrate(budget.batch, &mut **v));
    let n = first.unwrap_or(1);
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(budget.rounds); variants.len()];
    for v in variants.iter_mut() {
        v(n.div_ceil(10)); // warm caches and lazily parsed keys
    }
    for _ in 0..budget.rounds {
        for (v, s) in variants.iter_mut().zip(samples.iter_mut()) {
            s.push(v(n).as_nanos() as f64 / n as f64);
        }
    }
    Rounds { samples }
}

/// The median of `v` (0 for an empty slice).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Latency summary of a load run.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadStats {
    /// Completed operations per second.
    pub ops_per_sec: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
    /// Operations that failed.
    pub errors: usize,
    /// Process CPU time (client and server) per completed operation.
    pub cpu_per_op: Duration,
}

/// The raw outcome of one load slice.
#[derive(Clone, Debug, Default)]
pub struct Slice {
    /// Latency of each operation completed in the slice's window.
    pub latencies: Vec<Duration>,
    /// Failed operations in the window.
    pub errors: usize,
    /// Process CPU time spent during the window.
    pub cpu: Duration,
}

impl LoadStats {
    /// Summarises slices of `each` duration as one run.
    pub fn merge(slices: Vec<Slice>, each: Duration) -> Self {
        let total = each * slices.len() as u32;
        let errors = slices.iter().map(|s| s.errors).sum();
        let cpu: Duration = slices.iter().map(|s| s.cpu).sum();
        let all: Vec<Duration> = slices.into_iter().flat_map(|s| s.latencies).collect();
        let ops = all.len().max(1) as u32;
        Self {
            cpu_per_op: cpu / ops,
            ..Self::from_latencies(all, errors, total)
        }
    }

    /// Summarises `latencies` of operations completed in `elapsed`.
    pub fn from_latencies(mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        let pct = |p: f64| {
            if latencies.is_empty() {
                return Duration::ZERO;
            }
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[i]
        };
        Self {
            ops_per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: pct(0.50),
            p99: pct(0.99),
            errors,
            cpu_per_op: Duration::ZERO,
        }
    }
}

/// Formats a duration per operation given in nanoseconds, in a unit that fits.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Formats a latency.
pub fn fmt_dur(d: Duration) -> String {
    fmt_ns(d.as_nanos() as f64)
}

/// Formats a byte count in MiB or KiB.
pub fn fmt_bytes(b: usize) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", b as f64 / 1024.0)
    }
}
