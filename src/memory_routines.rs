//! The memory routines of the wasm32 build, `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp`, as
//! byte loops.
//!
//! An MVP module has no bulk-memory instructions, so every copy, fill or comparison that LLVM does not
//! inline becomes a call to one of these. Without them the module carries compiler-builtins' versions
//! (weak symbols, which these replace at link time): they copy and fill a word at a time, with code for
//! each misalignment of source and destination, about 0.7 KB brotli more. What this module moves is
//! short (URLs, header names, messages of errors and logs, queue entries: payloads stay in JavaScript),
//! so a byte at a time costs little time and saves that code.
//!
//! LLVM turns a byte loop into a call to `memcpy` or `memset` everywhere but inside the functions of
//! those names, so each routine here holds its own loop and calls nothing. Were one to call itself, the
//! first copy would exhaust the stack and trap: the package's smoke test and every WebAssembly suite
//! would fail at once.
//!
//! The loops are plain functions over raw pointers, tested natively (`tests` below).

/// Copies `n` bytes from `src` to `dest`, the first byte first: right for any two ranges where `dest`
/// does not start inside `src`'s range after `src`.
///
/// # Safety
/// `src` is valid for `n` bytes of reads and `dest` for `n` bytes of writes.
#[inline(always)]
pub unsafe fn copy_forward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n, within both ranges (the caller's contract).
        unsafe { *dest.add(i) = *src.add(i) };
        i += 1;
    }
}

/// Copies `n` bytes from `src` to `dest`, the last byte first: right when `dest` starts after `src`.
///
/// # Safety
/// As for [`copy_forward`].
#[inline(always)]
pub unsafe fn copy_backward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = n;
    while i > 0 {
        i -= 1;
        // SAFETY: i < n, within both ranges (the caller's contract).
        unsafe { *dest.add(i) = *src.add(i) };
    }
}

/// Copies `n` bytes from `src` to `dest` when the ranges may overlap: forward when `dest` is at or
/// before `src`, backward when after, so no byte is overwritten before it is read.
///
/// # Safety
/// As for [`copy_forward`].
#[inline(always)]
pub unsafe fn copy_overlapping(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's contract; the direction keeps every source byte until it is copied.
    unsafe {
        if (dest as usize) <= (src as usize) {
            copy_forward(dest, src, n);
        } else {
            copy_backward(dest, src, n);
        }
    }
}

/// Sets `n` bytes from `dest` on to `byte`.
///
/// # Safety
/// `dest` is valid for `n` bytes of writes.
#[inline(always)]
pub unsafe fn fill(dest: *mut u8, byte: u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n, within the range (the caller's contract).
        unsafe { *dest.add(i) = byte };
        i += 1;
    }
}

/// Compares `n` bytes as unsigned numbers: 0 when equal, else the first differing byte of `a` minus
/// that of `b` (negative when `a` sorts first).
///
/// # Safety
/// `a` and `b` are valid for `n` bytes of reads.
#[inline(always)]
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: i < n, within both ranges (the caller's contract).
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

// The C names LLVM calls, on wasm32 only (natively they are the C library's).
#[cfg(target_arch = "wasm32")]
mod c_names {
    use super::{compare, copy_forward, copy_overlapping, fill};
    use core::ffi::c_int;

    /// `memcpy`: the ranges do not overlap.
    ///
    /// # Safety
    /// The C contract.
    #[no_mangle]
    pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the C contract is copy_forward's.
        unsafe { copy_forward(dest, src, n) };
        dest
    }

    /// `memmove`: the ranges may overlap.
    ///
    /// # Safety
    /// The C contract.
    #[no_mangle]
    pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the C contract is copy_overlapping's.
        unsafe { copy_overlapping(dest, src, n) };
        dest
    }

    /// `memset`: the byte is the low 8 bits of `c`.
    ///
    /// # Safety
    /// The C contract.
    #[no_mangle]
    pub unsafe extern "C" fn memset(dest: *mut u8, c: c_int, n: usize) -> *mut u8 {
        // SAFETY: the C contract is fill's.
        unsafe { fill(dest, c as u8, n) };
        dest
    }

    /// `memcmp`.
    ///
    /// # Safety
    /// The C contract.
    #[no_mangle]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> c_int {
        // SAFETY: the C contract is compare's.
        unsafe { compare(a, b, n) }
    }

    /// `bcmp`: 0 when equal (LLVM calls it where only equality matters).
    ///
    /// # Safety
    /// The C contract.
    #[no_mangle]
    pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> c_int {
        // SAFETY: the C contract is compare's.
        unsafe { compare(a, b, n) }
    }
}

#[cfg(test)]
mod tests {
    use super::{compare, copy_forward, copy_overlapping, fill};

    /// Bytes 1, 2, 3, … (never 0, so a byte left unwritten shows).
    fn numbered(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8 + 1).collect()
    }

    #[test]
    fn copies_between_separate_buffers() {
        for n in 0..40 {
            let src = numbered(n);
            let mut dest = vec![0u8; n + 2];
            unsafe { copy_forward(dest.as_mut_ptr().add(1), src.as_ptr(), n) };
            assert_eq!(&dest[1..=n], &src[..], "n = {n}");
            assert_eq!((dest[0], dest[n + 1]), (0, 0), "n = {n}: wrote outside the range");
        }
    }

    /// Every overlap within a 24-byte buffer, either way: what `ptr::copy` (memmove) does.
    #[test]
    fn overlapping_copies_are_what_memmove_does() {
        for n in 0..=24 {
            for from in 0..=24 - n {
                for to in 0..=24 - n {
                    let mut ours = numbered(24);
                    let mut std = ours.clone();
                    unsafe {
                        copy_overlapping(ours.as_mut_ptr().add(to), ours.as_ptr().add(from), n);
                        core::ptr::copy(std.as_ptr().add(from), std.as_mut_ptr().add(to), n);
                    }
                    assert_eq!(ours, std, "n = {n}, from {from} to {to}");
                }
            }
        }
    }

    #[test]
    fn fills_exactly_the_range() {
        for n in 0..40 {
            let mut buf = numbered(n + 2);
            let before = buf.clone();
            unsafe { fill(buf.as_mut_ptr().add(1), 0xAB, n) };
            assert!(buf[1..=n].iter().all(|&b| b == 0xAB), "n = {n}");
            assert_eq!((buf[0], buf[n + 1]), (before[0], before[n + 1]), "n = {n}: wrote outside the range");
        }
    }

    /// The sign is that of the slices' order (bytes unsigned), and 0 only when equal; `n` limits it.
    #[test]
    fn compares_like_slice_order() {
        let samples: [&[u8]; 8] = [b"", b"a", b"ab", b"abc", b"abd", b"\x00", b"\xff", b"\x7f\x80"];
        for a in samples {
            for b in samples {
                let n = a.len().min(b.len());
                let got = unsafe { compare(a.as_ptr(), b.as_ptr(), n) };
                assert_eq!(got.signum(), a[..n].cmp(&b[..n]) as i32, "{a:?} vs {b:?}");
            }
        }
        assert_eq!(unsafe { compare(b"\xff".as_ptr(), b"\x01".as_ptr(), 1) }, 0xfe);
        assert_eq!(unsafe { compare(b"xa".as_ptr(), b"xb".as_ptr(), 1) }, 0, "only n bytes count");
    }
}
