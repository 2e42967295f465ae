//! libstdc++'s `std::sort`, `std::nth_element` and `std::partial_sort`,
//! step for step.
//!
//! torch's CPU `sort` (unless `stable=True`) and `topk` call these on
//! `(value, index)` pairs compared by value only. They are not stable: which
//! of two equal values comes first depends on the exact sequence of
//! comparisons and swaps (introsort with median-of-three pivots, a final
//! insertion sort over runs of 16, heap selection). Reproducing that
//! sequence is the only way to give ties in torch's order, e.g.
//! `torch.zeros(20).sort().indices` starts `[10, 19, 18, …]`.
//!
//! Each function is the libstdc++ (GCC) code of the same name, with
//! iterators as slice positions; `less(a, b)` is the comparator.

/// Below this length `sort` finishes with insertion sort (`_S_threshold`).
const THRESHOLD: usize = 16;

/// `std::__lg`: floor(log2(n)) for n > 0.
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.leading_zeros()) as usize
}

/// `std::sort(first, last, comp)`.
pub(crate) fn sort<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    if v.len() > 1 {
        introsort_loop(v, 0, v.len(), lg(v.len()) * 2, less);
        final_insertion_sort(v, 0, v.len(), less);
    }
}

/// `std::nth_element(first, nth, last, comp)`.
pub(crate) fn nth_element<E: Copy>(v: &mut [E], nth: usize, less: &impl Fn(&E, &E) -> bool) {
    if v.is_empty() || nth == v.len() {
        return;
    }
    introselect(v, 0, nth, v.len(), lg(v.len()) * 2, less);
}

/// `std::partial_sort(first, middle, last, comp)`.
pub(crate) fn partial_sort<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(&E, &E) -> bool) {
    heap_select(v, 0, middle, v.len(), less);
    sort_heap(v, 0, middle, less);
}

fn introsort_loop<E: Copy>(
    v: &mut [E],
    first: usize,
    mut last: usize,
    mut depth_limit: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    while last - first > THRESHOLD {
        if depth_limit == 0 {
            // std::__partial_sort(first, last, last): heapsort.
            heap_select(v, first, last, last, less);
            sort_heap(v, first, last, less);
            return;
        }
        depth_limit -= 1;
        let cut = unguarded_partition_pivot(v, first, last, less);
        introsort_loop(v, cut, last, depth_limit, less);
        last = cut;
    }
}

fn introselect<E: Copy>(
    v: &mut [E],
    mut first: usize,
    nth: usize,
    mut last: usize,
    mut depth_limit: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    while last - first > 3 {
        if depth_limit == 0 {
            heap_select(v, first, nth + 1, last, less);
            // Place the nth largest element in its final position.
            v.swap(first, nth);
            return;
        }
        depth_limit -= 1;
        let cut = unguarded_partition_pivot(v, first, last, less);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(v, first, last, less);
}

fn unguarded_partition_pivot<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) -> usize {
    let mid = first + (last - first) / 2;
    move_median_to_first(v, first, first + 1, mid, last - 1, less);
    unguarded_partition(v, first + 1, last, first, less)
}

fn move_median_to_first<E: Copy>(
    v: &mut [E],
    result: usize,
    a: usize,
    b: usize,
    c: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    let pick = if less(&v[a], &v[b]) {
        if less(&v[b], &v[c]) {
            b
        } else if less(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if less(&v[a], &v[c]) {
        a
    } else if less(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

fn unguarded_partition<E: Copy>(
    v: &mut [E],
    mut first: usize,
    mut last: usize,
    pivot: usize,
    less: &impl Fn(&E, &E) -> bool,
) -> usize {
    loop {
        while less(&v[first], &v[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(&v[pivot], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn final_insertion_sort<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    if last - first > THRESHOLD {
        insertion_sort(v, first, first + THRESHOLD, less);
        for i in first + THRESHOLD..last {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, first, last, less);
    }
}

fn insertion_sort<E: Copy>(v: &mut [E], first: usize, last: usize, less: &impl Fn(&E, &E) -> bool) {
    if first == last {
        return;
    }
    for i in first + 1..last {
        if less(&v[i], &v[first]) {
            let val = v[i];
            v.copy_within(first..i, first + 1);
            v[first] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

fn unguarded_linear_insert<E: Copy>(v: &mut [E], mut last: usize, less: &impl Fn(&E, &E) -> bool) {
    let val = v[last];
    let mut next = last - 1;
    while less(&val, &v[next]) {
        v[last] = v[next];
        last = next;
        next -= 1;
    }
    v[last] = val;
}

fn heap_select<E: Copy>(
    v: &mut [E],
    first: usize,
    middle: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    make_heap(v, first, middle, less);
    for i in middle..last {
        if less(&v[i], &v[first]) {
            pop_heap(v, first, middle, i, less);
        }
    }
}

fn make_heap<E: Copy>(v: &mut [E], first: usize, last: usize, less: &impl Fn(&E, &E) -> bool) {
    let len = last - first;
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[first + parent];
        adjust_heap(v, first, parent, len, value, less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

fn sort_heap<E: Copy>(v: &mut [E], first: usize, mut last: usize, less: &impl Fn(&E, &E) -> bool) {
    while last - first > 1 {
        last -= 1;
        pop_heap(v, first, last, last, less);
    }
}

fn pop_heap<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    result: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    let value = v[result];
    v[result] = v[first];
    adjust_heap(v, first, 0, last - first, value, less);
}

fn adjust_heap<E: Copy>(
    v: &mut [E],
    first: usize,
    mut hole: usize,
    len: usize,
    value: E,
    less: &impl Fn(&E, &E) -> bool,
) {
    let top = hole;
    let mut child = hole;
    while child < len.saturating_sub(1) / 2 {
        child = 2 * (child + 1);
        if less(&v[first + child], &v[first + child - 1]) {
            child -= 1;
        }
        v[first + hole] = v[first + child];
        hole = child;
    }
    if len & 1 == 0 && len >= 2 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[first + hole] = v[first + child - 1];
        hole = child - 1;
    }
    // std::__push_heap(first, hole, top, value)
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(&v[first + parent], &value) {
            break;
        }
        v[first + hole] = v[first + parent];
        hole = parent;
    }
    v[first + hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(values: &[i32]) -> Vec<(i32, usize)> {
        values.iter().copied().zip(0..).collect()
    }

    #[test]
    fn sorts_like_std_sort() {
        let less = |a: &(i32, usize), b: &(i32, usize)| a.0 < b.0;
        // torch.zeros(20).sort().indices, from libstdc++'s std::sort.
        let mut v = pairs(&[0; 20]);
        sort(&mut v, &less);
        let idx: Vec<usize> = v.iter().map(|p| p.1).collect();
        assert_eq!(
            idx,
            [
                10, 19, 18, 17, 16, 15, 14, 13, 12, 11, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1
            ]
        );
        // Any input comes out ordered.
        let mut state = 12345u64;
        let mut values = Vec::new();
        for _ in 0..500 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values.push((state >> 33) as i32 % 7);
        }
        for n in [0, 1, 2, 3, 17, 64, 500] {
            let mut v = pairs(&values[..n]);
            sort(&mut v, &less);
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
            for k in [0, n / 2, n.saturating_sub(1)] {
                if k >= n {
                    continue;
                }
                let mut v = pairs(&values[..n]);
                nth_element(&mut v, k, &less);
                let kth = v[k].0;
                assert!(v[..k].iter().all(|p| p.0 <= kth) && v[k..].iter().all(|p| p.0 >= kth));
                let mut v = pairs(&values[..n]);
                partial_sort(&mut v, k, &less);
                assert!(v[..k].windows(2).all(|w| w[0].0 <= w[1].0));
                assert!(v[..k].iter().all(|p| v[k..].iter().all(|q| p.0 <= q.0)));
            }
        }
    }
}
