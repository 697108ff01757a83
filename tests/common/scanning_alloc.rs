//! The scanning global allocator of `zeroize_heap`: `System`, plus a look into every block
//! before it is freed while armed (patterns or snapshot mode; see that test's docs). The hook
//! never allocates: fixed arrays behind a spin lock.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub const CHUNK: usize = 16;
const MAX_CHUNKS: usize = 512;
const MAX_SECRETS: usize = 64;
/// Largest block the snapshot mode keeps.
const SNAPSHOT_BLOCK: usize = 4096;
const SNAPSHOT_CAP: usize = 32 << 20;

const OFF: u8 = 0;
pub const PATTERNS: u8 = 1;
pub const SNAPSHOT: u8 = 2;

struct Registry {
    mode: u8,
    chunks: [[u8; CHUNK]; MAX_CHUNKS],
    owner: [u8; MAX_CHUNKS],
    n: usize,
    /// One bit per possible first two bytes of a chunk.
    filter: [u64; 1024],
    hits: [u32; MAX_SECRETS],
    blocks_seen: u64,
    snapshot: *mut u8,
    snapshot_len: usize,
    snapshot_overflow: bool,
}

struct Spin {
    locked: AtomicBool,
    reg: UnsafeCell<Registry>,
}

// SAFETY: `reg` is only touched while `locked` is held.
unsafe impl Sync for Spin {}

static STATE: Spin = Spin {
    locked: AtomicBool::new(false),
    reg: UnsafeCell::new(Registry {
        mode: OFF,
        chunks: [[0; CHUNK]; MAX_CHUNKS],
        owner: [0; MAX_CHUNKS],
        n: 0,
        filter: [0; 1024],
        hits: [0; MAX_SECRETS],
        blocks_seen: 0,
        snapshot: std::ptr::null_mut(),
        snapshot_len: 0,
        snapshot_overflow: false,
    }),
};

/// Runs `f` on the registry under the spin lock. `f` must not allocate.
fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    while STATE
        .locked
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        std::hint::spin_loop();
    }
    // SAFETY: the lock is held.
    let out = f(unsafe { &mut *STATE.reg.get() });
    STATE.locked.store(false, Ordering::Release);
    out
}

fn byte_at(ptr: *const u8, i: usize) -> u8 {
    // SAFETY: the caller passes offsets inside a block it is about to free; volatile so that
    // the read of possibly never-written bytes is a plain load.
    unsafe { std::ptr::read_volatile(ptr.add(i)) }
}

/// Looks at a block about to be freed. Allocation-free.
fn inspect(ptr: *const u8, size: usize) {
    if size < 2 {
        return;
    }
    with_registry(|reg| {
        match reg.mode {
            OFF => return,
            SNAPSHOT if size <= SNAPSHOT_BLOCK && !reg.snapshot.is_null() => {
                if reg.snapshot_len + 4 + size > SNAPSHOT_CAP {
                    reg.snapshot_overflow = true;
                } else {
                    // SAFETY: in bounds of the side buffer (checked above) and of the block.
                    unsafe {
                        let dst = reg.snapshot.add(reg.snapshot_len);
                        std::ptr::copy_nonoverlapping((size as u32).to_le_bytes().as_ptr(), dst, 4);
                        for i in 0..size {
                            *dst.add(4 + i) = byte_at(ptr, i);
                        }
                    }
                    reg.snapshot_len += 4 + size;
                }
            }
            _ => {}
        }
        reg.blocks_seen += 1;
        if reg.n == 0 || size < CHUNK {
            return;
        }
        let mut prev = byte_at(ptr, 0);
        for i in 0..=size - CHUNK {
            let next = byte_at(ptr, i + 1);
            let key = (usize::from(prev) << 8) | usize::from(next);
            prev = next;
            if reg.filter[key / 64] & (1 << (key % 64)) == 0 {
                continue;
            }
            for c in 0..reg.n {
                if (0..CHUNK).all(|j| reg.chunks[c][j] == byte_at(ptr, i + j)) {
                    let owner = usize::from(reg.owner[c]);
                    reg.hits[owner] = reg.hits[owner].saturating_add(1);
                }
            }
        }
    });
}

/// `System`, with every freed block inspected while armed.
struct ScanningAllocator;

// SAFETY: every call is forwarded to `System`; `inspect` only reads the block before it is
// freed, and `realloc` while armed is alloc + copy + inspect + free.
unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        inspect(ptr, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if with_registry(|r| r.mode) == OFF {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // Always move, so the old block is seen as it is freed.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            inspect(ptr, layout.size());
            unsafe { System.dealloc(ptr, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: ScanningAllocator = ScanningAllocator;

/// One test at a time: the allocator is process-wide.
pub static SERIAL: Mutex<()> = Mutex::new(());

/// The secrets of one test, by name, and the session that arms the allocator.
pub struct Watch {
    names: Vec<String>,
}

impl Watch {
    /// Starts clean: no patterns, no hits, no snapshots.
    pub fn new() -> Self {
        let names = Vec::with_capacity(MAX_SECRETS);
        let buffer = with_registry(|r| r.snapshot);
        let buffer = if buffer.is_null() {
            // SAFETY: a non-zero size; kept for the whole process.
            unsafe { System.alloc(Layout::from_size_align(SNAPSHOT_CAP, 8).expect("layout")) }
        } else {
            buffer
        };
        assert!(!buffer.is_null(), "side buffer");
        with_registry(|r| {
            r.mode = OFF;
            r.n = 0;
            r.filter = [0; 1024];
            r.hits = [0; MAX_SECRETS];
            r.blocks_seen = 0;
            r.snapshot = buffer;
            r.snapshot_len = 0;
            r.snapshot_overflow = false;
        });
        Self { names }
    }

    /// Registers `secret` (at least 16 bytes): its 16-byte chunks, in order and reversed.
    pub fn register(&mut self, name: &str, secret: &[u8]) {
        assert!(secret.len() >= CHUNK && secret.len() <= 1024, "{name}");
        assert!(self.names.len() < MAX_SECRETS);
        let id = self.names.len() as u8;
        self.names.push(name.to_owned());
        let mut reversed = [0u8; 1024];
        for (i, b) in secret.iter().rev().enumerate() {
            reversed[i] = *b;
        }
        let reversed = &reversed[..secret.len()];
        with_registry(|r| {
            for form in [secret, reversed] {
                for chunk in form.chunks_exact(CHUNK) {
                    assert!(r.n < MAX_CHUNKS, "too many chunks");
                    r.chunks[r.n].copy_from_slice(chunk);
                    r.owner[r.n] = id;
                    let key = (usize::from(chunk[0]) << 8) | usize::from(chunk[1]);
                    r.filter[key / 64] |= 1 << (key % 64);
                    r.n += 1;
                }
            }
        });
    }

    pub fn arm(&self, mode: u8) {
        with_registry(|r| r.mode = mode);
    }

    pub fn disarm(&self) -> u64 {
        with_registry(|r| {
            r.mode = OFF;
            r.blocks_seen
        })
    }

    /// The registered secrets found in freed blocks, with their counts.
    pub fn hits(&self) -> Vec<(String, u32)> {
        let hits = with_registry(|r| r.hits);
        self.names
            .iter()
            .zip(hits)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| (name.clone(), n))
            .collect()
    }

    /// Which of `needles` occur in the blocks the snapshot mode kept (call disarmed).
    pub fn search_snapshots<B: AsRef<[u8]>>(&self, needles: &[(&str, B)]) -> Vec<String> {
        let (ptr, len, overflow) =
            with_registry(|r| (r.snapshot as *const u8, r.snapshot_len, r.snapshot_overflow));
        assert!(!overflow, "the snapshot buffer overflowed");
        // SAFETY: written up to `len` while armed; nothing writes while disarmed.
        let all = unsafe { std::slice::from_raw_parts(ptr, len) };
        let mut found = Vec::new();
        let mut at = 0;
        let mut blocks = 0;
        while at + 4 <= all.len() {
            let size = u32::from_le_bytes(all[at..at + 4].try_into().expect("4 bytes")) as usize;
            let block = &all[at + 4..at + 4 + size];
            blocks += 1;
            for (name, needle) in needles {
                let needle = needle.as_ref();
                if block.windows(needle.len()).any(|w| w == needle) {
                    found.push(format!("{name} in a freed block of {size} bytes"));
                }
            }
            at += 4 + size;
        }
        assert!(
            blocks > 0,
            "no block was snapshotted: the hook is not running"
        );
        found
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        with_registry(|r| {
            r.mode = OFF;
            r.n = 0;
        });
    }
}
