//! Transparent huge pages for the engines' large random-access arrays.
//!
//! The event engine touches physician records and CSR rows at random places in arrays of tens
//! of megabytes: with 4 KiB pages nearly every such access also misses the TLB (a few thousand
//! entries cover a few megabytes), and under a hypervisor each miss walks two page tables. On
//! Linux with transparent huge pages in `madvise` mode (the common default) the kernel backs
//! a region with 2 MiB pages only when asked: [`reserve_huge`] asks before a buffer is first
//! touched (`MADV_HUGEPAGE`), [`collapse`] asks for memory already filled, such as the
//! network's CSR (`MADV_COLLAPSE`, Linux ≥ 6.1). Both are hints: they change no value, only
//! where the bytes sit, and failures (older kernels, THP disabled, other systems) are ignored.

/// The huge page size the hints are aligned to (x86-64 and most arm64 kernels).
const HUGE: usize = 2 << 20;

/// Below this many bytes a buffer is left alone (it fits the TLB's reach anyway).
const WORTH: usize = 4 * HUGE;

#[cfg(target_os = "linux")]
mod sys {
    unsafe extern "C" {
        fn madvise(addr: *mut core::ffi::c_void, len: usize, advice: core::ffi::c_int) -> i32;
    }

    /// `MADV_HUGEPAGE`: back this range with huge pages when it is faulted in.
    pub const HUGEPAGE: i32 = 14;
    /// `MADV_COLLAPSE`: replace the range's pages by huge pages now.
    pub const COLLAPSE: i32 = 25;

    /// `madvise(start, len, advice)`, its result ignored.
    pub fn advise(start: usize, len: usize, advice: i32) {
        // SAFETY: `start..start + len` lies inside one live allocation of the caller (see
        // `interior`); both advices only change how the pages are backed, never their
        // contents, and an error leaves the mapping as it was.
        unsafe {
            madvise(start as *mut core::ffi::c_void, len, advice);
        }
    }
}

/// The whole huge pages inside `bytes` bytes from `addr`, as `(start, len)`, when there are
/// enough of them to matter.
fn interior(addr: usize, bytes: usize) -> Option<(usize, usize)> {
    if bytes < WORTH {
        return None;
    }
    let start = addr.next_multiple_of(HUGE);
    let end = (addr + bytes) / HUGE * HUGE;
    (end > start).then(|| (start, end - start))
}

#[cfg(target_os = "linux")]
fn advise(addr: usize, bytes: usize, advice: i32) {
    if let Some((start, len)) = interior(addr, bytes) {
        sys::advise(start, len, advice);
    }
}

/// Asks the kernel to move the filled memory of `data` onto huge pages now (`MADV_COLLAPSE`).
/// Cheap when it already is; a no-op off Linux or for small slices.
pub fn collapse<T>(data: &[T]) {
    #[cfg(target_os = "linux")]
    advise(
        data.as_ptr() as usize,
        std::mem::size_of_val(data),
        sys::COLLAPSE,
    );
    #[cfg(not(target_os = "linux"))]
    let _ = data;
}

/// [`collapse`] on the three arrays of a CSR adjacency (the event and frontier engines read
/// its rows at random places).
pub fn collapse_arcs(arcs: &crate::network::Adjacency) {
    collapse(&arcs.offsets[..]);
    collapse(&arcs.nodes[..]);
    collapse(&arcs.weights[..]);
}

/// Makes room for `n` elements in `v` (like [`Vec::reserve`] up to a length of `n`) and, when
/// that allocates, asks for huge pages over the new buffer before anything is written to it.
pub fn reserve_huge<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() >= n {
        return;
    }
    v.reserve_exact(n - v.len());
    #[cfg(target_os = "linux")]
    advise(
        v.as_ptr() as usize,
        v.capacity() * std::mem::size_of::<T>(),
        sys::HUGEPAGE,
    );
}

/// Sets `v` to `n` copies of `value`, asking for huge pages first when its buffer grows (the
/// per-worker arrays indexed by physician).
pub fn fill_huge<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.clear();
    reserve_huge(v, n);
    v.resize(n, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_is_whole_aligned_pages() {
        assert_eq!(interior(HUGE + 1, 10 * HUGE), Some((2 * HUGE, 9 * HUGE)));
        assert_eq!(interior(0, 10 * HUGE), Some((0, 10 * HUGE)));
        assert_eq!(interior(7, WORTH - 1), None);
    }

    #[test]
    fn hints_keep_contents() {
        let mut v: Vec<u64> = (0..10).collect();
        reserve_huge(&mut v, 3 << 20);
        assert!(v.capacity() >= 3 << 20);
        v.extend(10..(3 << 20));
        collapse(&v);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
    }
}
