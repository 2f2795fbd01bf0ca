//! The module's memory allocator: size classes of powers of two, one free list per class, new blocks cut
//! from the end of linear memory (grown a page run at a time).
//!
//! Why not the standard one: std's dlmalloc is about 4 KB of code, a tenth of this module. What this
//! module allocates is small and short-lived (strings of URLs and messages, the outgoing queue's entries:
//! payloads stay in JavaScript), single-threaded, and steady: a freed block serves the next request of its
//! class, so memory stops growing once the largest working set has been seen (the leak tests check that
//! over 10,000 clients). Rounding to a power of two spends at most half of a block.
//!
//! The logic is plain Rust over a [`Heap`] that says where memory ends and how to grow it, so it is tested
//! natively (`tests` below) as well as by every WebAssembly suite, which runs on it.

use core::alloc::Layout;
use core::ptr::null_mut;

/// Classes 2^3 … 2^31 bytes: 8 is the smallest block (a free block holds the next pointer).
const MIN_SHIFT: u32 = 3;
const CLASSES: usize = 29;
/// Blocks are aligned to their size up to this; larger alignments are not reused from free lists.
const MAX_REUSE_ALIGN: usize = 16;

/// Where blocks come from.
pub trait Heap {
    /// The current end of memory.
    fn end(&self) -> usize;
    /// Grows memory by at least `bytes`; false when it cannot.
    fn grow(&mut self, bytes: usize) -> bool;
    /// Where the first block may start (the initial memory above it is free): the end by default.
    fn start(&self) -> usize {
        self.end()
    }
}

/// The allocator's state: free lists and the bump pointer.
pub struct Blocks {
    free: [usize; CLASSES],
    next: usize,
    limit: usize,
}

impl Blocks {
    /// An allocator that cuts its first block at the heap's start.
    pub const fn new() -> Blocks {
        Blocks { free: [0; CLASSES], next: 0, limit: 0 }
    }

    fn class(layout: Layout) -> Option<usize> {
        let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
        let bits = usize::BITS - (size - 1).leading_zeros();
        let class = bits.checked_sub(MIN_SHIFT)? as usize;
        (class < CLASSES).then_some(class)
    }

    /// A block for `layout`, or null.
    ///
    /// # Safety
    /// The heap's memory from `end()` on must be this allocator's alone.
    pub unsafe fn alloc(&mut self, layout: Layout, heap: &mut impl Heap) -> *mut u8 {
        let Some(class) = Blocks::class(layout) else { return null_mut() };
        let size = 1usize << (class as u32 + MIN_SHIFT);
        if layout.align() <= MAX_REUSE_ALIGN {
            let head = self.free[class];
            if head != 0 {
                // SAFETY: a free block of this class starts with the address of the next one.
                self.free[class] = unsafe { *(head as *const usize) };
                return head as *mut u8;
            }
        }
        let align = size.min(MAX_REUSE_ALIGN).max(layout.align());
        if self.limit == 0 {
            // First use: from the heap's start to the end of memory is free.
            self.next = heap.start();
            self.limit = heap.end();
        } else if self.limit != heap.end() {
            // Memory grown by someone else: cut from the new end.
            self.next = heap.end();
            self.limit = self.next;
        }
        let Some(start) = self.next.checked_add(align - 1).map(|p| p & !(align - 1)) else { return null_mut() };
        let Some(end) = start.checked_add(size) else { return null_mut() };
        if end > self.limit {
            if !heap.grow(end - self.limit) {
                return null_mut();
            }
            self.limit = heap.end();
        }
        self.next = end;
        start as *mut u8
    }

    /// Gives back a block `alloc` returned for the same layout.
    ///
    /// # Safety
    /// `ptr` came from `alloc(layout)` and is not used again.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = Blocks::class(layout) {
            // SAFETY: the block is at least 8 bytes and aligned to 8, and it is ours again.
            unsafe { *(ptr as *mut usize) = self.free[class] };
            self.free[class] = ptr as usize;
        }
    }

    /// Whether a block of `layout` also holds `new_size` bytes (then realloc keeps it).
    pub fn fits(layout: Layout, new_size: usize) -> bool {
        match Layout::from_size_align(new_size, layout.align()) {
            Ok(new) => Blocks::class(layout) == Blocks::class(new),
            Err(_) => false,
        }
    }
}

impl Default for Blocks {
    fn default() -> Blocks {
        Blocks::new()
    }
}

// Only without threads (the `atomics` feature): the allocator assumes one thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod wasm {
    use super::{Blocks, Heap};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const PAGE: usize = 65_536;

    struct Linear;

    impl Heap for Linear {
        fn end(&self) -> usize {
            core::arch::wasm32::memory_size(0) * PAGE
        }
        fn grow(&mut self, bytes: usize) -> bool {
            // At least 2 pages (128 KiB) at a time: each grow detaches the JS views of memory.
            let pages = bytes.div_ceil(PAGE).max(2);
            core::arch::wasm32::memory_grow(0, pages) != usize::MAX
        }
        fn start(&self) -> usize {
            extern "C" {
                // Set by the linker: the first byte after the stack and the static data.
                static __heap_base: u8;
            }
            // SAFETY: only the symbol's address is taken (safe from Rust 1.82; the crate supports 1.80).
            #[allow(unused_unsafe)]
            let at = unsafe { core::ptr::addr_of!(__heap_base) as usize };
            at
        }
    }

    /// The global allocator of the wasm32 build.
    pub struct Allocator(UnsafeCell<Blocks>);

    // SAFETY: wasm32 without threads: one thread, and no allocation from within an allocation.
    unsafe impl Sync for Allocator {}

    unsafe impl GlobalAlloc for Allocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: single-threaded and not re-entered (see above); memory past the end is ours.
            unsafe { (*self.0.get()).alloc(layout, &mut Linear) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as above; the caller gives back a block of ours.
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if Blocks::fits(layout, new_size) {
                return ptr;
            }
            // SAFETY: the caller's contract for realloc; the new block is at least as large as the copy.
            unsafe {
                let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(Blocks::new()));
}

#[cfg(test)]
mod tests {
    use super::{Blocks, Heap};
    use core::alloc::Layout;

    /// A heap over a Vec: addresses are offsets into it, from 64 on (0 stays null).
    struct Arena {
        end: usize,
        cap: usize,
        grows: usize,
    }

    impl Heap for Arena {
        fn end(&self) -> usize {
            self.end
        }
        fn grow(&mut self, bytes: usize) -> bool {
            if self.end + bytes > self.cap {
                return false;
            }
            self.end += bytes.div_ceil(4096) * 4096;
            self.grows += 1;
            true
        }
    }

    fn rng(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Random allocations and frees over a heap in a buffer: every block is aligned, inside the heap, and
    /// overlaps no live block; freed blocks are reused, so the heap stops growing in a steady state.
    #[test]
    fn blocks_never_overlap_and_are_reused() {
        let mut seed = 7u64;
        for round in 0..6 {
            // The free-list links live in the blocks: the arena's addresses are those of a real buffer.
            let mut memory = vec![0u64; (64 << 20) / 8];
            let base = memory.as_mut_ptr() as usize;
            let mut heap = Arena { end: base + 64, cap: base + (64 << 20), grows: 0 };
            let mut blocks = Blocks::new();
            let mut live: Vec<(usize, Layout)> = Vec::new();
            let mut high_water = 0;
            for step in 0..20_000 {
                let grow_phase = step < 10_000;
                if live.is_empty() || rng(&mut seed) % 100 < if grow_phase { 60 } else { 50 } {
                    let size = match rng(&mut seed) % 10 {
                        0 => (rng(&mut seed) % 5000) as usize,
                        _ => (rng(&mut seed) % 100) as usize,
                    };
                    let align = 1usize << (rng(&mut seed) % 4);
                    let layout = Layout::from_size_align(size, align).unwrap();
                    if live.iter().map(|(_, l)| l.size().max(8).next_power_of_two()).sum::<usize>() > (1 << 21) {
                        continue;
                    }
                    let p = unsafe { blocks.alloc(layout, &mut heap) } as usize;
                    assert_ne!(p, 0, "round {round} step {step}: out of memory");
                    assert_eq!(p % align, 0, "aligned");
                    let cls = layout.size().max(align).max(8).next_power_of_two();
                    assert!(p >= base + 64 && p + cls <= heap.end, "inside the heap");
                    for (q, l) in &live {
                        let qc = l.size().max(l.align()).max(8).next_power_of_two();
                        assert!(p + cls <= *q || q + qc <= p, "round {round} step {step}: {p:#x}+{cls} overlaps {q:#x}+{qc}");
                    }
                    live.push((p, layout));
                } else {
                    let i = (rng(&mut seed) % live.len() as u64) as usize;
                    let (p, l) = live.swap_remove(i);
                    unsafe { blocks.dealloc(p as *mut u8, l) };
                }
                if step == 10_000 {
                    high_water = heap.end;
                }
            }
            assert!(heap.end - high_water <= (heap.end - base) / 2, "round {round}: the heap kept growing after warm-up");
            drop(memory);
        }
    }

    #[test]
    fn a_freed_block_serves_the_next_request_of_its_class() {
        let mut memory = vec![0u64; 1 << 16];
        let base = memory.as_mut_ptr() as usize;
        let mut heap = Arena { end: base + 64, cap: base + (1 << 19), grows: 0 };
        let mut blocks = Blocks::new();
        let l = Layout::from_size_align(24, 8).unwrap();
        let a = unsafe { blocks.alloc(l, &mut heap) };
        let b = unsafe { blocks.alloc(l, &mut heap) };
        assert_ne!(a, b);
        unsafe { blocks.dealloc(a, l) };
        let c = unsafe { blocks.alloc(Layout::from_size_align(30, 4).unwrap(), &mut heap) };
        assert_eq!(a, c, "same class (32), reused");
        let d = unsafe { blocks.alloc(Layout::from_size_align(33, 8).unwrap(), &mut heap) };
        assert_eq!(d as usize % 16, 0, "64-byte blocks are 16-aligned");
        assert!(Blocks::fits(l, 32) && !Blocks::fits(l, 33));
        drop(memory);
    }

    /// A heap whose memory above its start is already there: used before any grow.
    struct Preset(Arena, usize);

    impl Heap for Preset {
        fn end(&self) -> usize {
            self.0.end()
        }
        fn grow(&mut self, bytes: usize) -> bool {
            self.0.grow(bytes)
        }
        fn start(&self) -> usize {
            self.1
        }
    }

    #[test]
    fn the_free_memory_above_the_start_is_used_before_growing() {
        let mut memory = vec![0u64; 1 << 14];
        let base = memory.as_mut_ptr() as usize;
        let mut heap = Preset(Arena { end: base + 65_536, cap: base + (1 << 17), grows: 0 }, base + 1000);
        let mut blocks = Blocks::new();
        let l = Layout::from_size_align(100, 8).unwrap();
        let first = unsafe { blocks.alloc(l, &mut heap) } as usize;
        assert_eq!(first, base + 1008, "the first block is at the start, aligned");
        for _ in 0..400 {
            assert!(!unsafe { blocks.alloc(l, &mut heap) }.is_null());
        }
        assert_eq!(heap.0.grows, 0, "401 blocks of 128 bytes fit below the end");
        for _ in 0..200 {
            assert!(!unsafe { blocks.alloc(l, &mut heap) }.is_null());
        }
        assert!(heap.0.grows >= 1, "then memory grows");
        drop(memory);
    }

    #[test]
    fn out_of_memory_is_null_not_a_panic() {
        let mut memory = vec![0u64; 1024];
        let base = memory.as_mut_ptr() as usize;
        let mut heap = Arena { end: base + 64, cap: base + 4096, grows: 0 };
        let mut blocks = Blocks::new();
        let big = Layout::from_size_align(1 << 20, 8).unwrap();
        assert!(unsafe { blocks.alloc(big, &mut heap) }.is_null());
        let huge = Layout::from_size_align(isize::MAX as usize - 7, 8).unwrap();
        assert!(unsafe { blocks.alloc(huge, &mut heap) }.is_null());
        let small = Layout::from_size_align(8, 8).unwrap();
        assert!(!unsafe { blocks.alloc(small, &mut heap) }.is_null(), "still serves what fits");
        assert!(heap.grows >= 1);
        drop(memory);
    }
}
