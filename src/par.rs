//! Data parallelism for CPU-bound batch work (roster checks, bulk index building) on the
//! standard library's scoped threads.

/// `f` over every item, on all cores; the results in the items' order.
pub fn map<R: Sync, T: Send>(items: &[R], f: impl Fn(usize, &R) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(k, chunk)| {
                s.spawn(move || {
                    let start = k * per;
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(j, x)| f(start + j, x))
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
