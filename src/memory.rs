//! The allocator's settings, for the programs that use mimalloc as their
//! global allocator: the salon binary and the benchmarks, so that the
//! benchmarks measure what the binary does.

// Links the C library configured below.
use mimalloc as _;

/// Tells mimalloc not to give freed pages back to the system. A build
/// frees and allocates hundreds of MB in waves (parse, link, render), and
/// every page given back is faulted in and zeroed again later: at 10,000
/// posts that was about 8,000 page faults, 1,100 without, and a tenth of
/// the build's CPU time in the kernel clearing pages. Peak memory grows
/// by about 5%.
pub fn keep_freed_memory() {
    set_purge_delay(-1);
}

/// Tells mimalloc to give freed pages back to the system again, 10 ms
/// after they are freed (its default): for a build big enough that what
/// one stage frees is worth more than the page faults of the next.
pub fn give_back_freed_memory() {
    set_purge_delay(10);
}

/// Sets mimalloc's purge delay in milliseconds; -1 means "never purge".
/// Harmless where mimalloc is linked but not the global allocator (the
/// tests): it only sets an option nothing reads.
fn set_purge_delay(ms: std::ffi::c_long) {
    // The C library is linked in by the `mimalloc` crate; the Rust
    // bindings do not name this option. Its value in mimalloc.h (v2 and
    // v3): the 16th entry of `mi_option_e`.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: sets a plain integer option; mimalloc documents that options
    // may be set at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}
