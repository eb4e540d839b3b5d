//! A Go slice over a decoded JSON list, to reproduce an aliasing effect of
//! the Kubernetes merge: deleting elements shifts them left inside the
//! list's backing array and appending writes into its spare capacity, so
//! the caller's view of the original list (the same array, its old length)
//! changes. `$setElementOrder` then orders by that changed view, and the
//! API server's (and kubectl's) element order depends on it.

use serde_json::Value;

/// A slice header (length, capacity) over a shared backing array, until an
/// append outgrows the capacity and Go copies the elements elsewhere.
#[derive(Debug)]
pub(super) struct GoSlice {
    backing: Vec<Value>,
    len: usize,
    cap: usize,
    /// The elements after the slice was moved out of `backing`.
    moved: Option<Vec<Value>>,
}

impl GoSlice {
    /// A list as `encoding/json` decodes it: appended one element at a time
    /// from empty, so its capacity is the next power of two (exact up to
    /// 256 elements, where Go's growth slows).
    pub(super) fn decoded(list: Vec<Value>) -> GoSlice {
        let len = list.len();
        GoSlice {
            backing: list,
            len,
            cap: if len == 0 { 0 } else { len.next_power_of_two() },
            moved: None,
        }
    }

    pub(super) fn items(&self) -> &[Value] {
        match &self.moved {
            Some(items) => items,
            None => &self.backing[..self.len],
        }
    }

    /// `append(s[:i], s[i+1:]...)`: the tail shifts left and the last slot
    /// keeps its old element.
    pub(super) fn remove(&mut self, i: usize) {
        match &mut self.moved {
            Some(items) => {
                items.remove(i);
            }
            None => {
                for j in i..self.len.saturating_sub(1) {
                    self.backing[j] = self.backing[j + 1].clone();
                }
                self.len = self.len.saturating_sub(1);
            }
        }
    }

    pub(super) fn set(&mut self, i: usize, value: Value) {
        match &mut self.moved {
            Some(items) => items[i] = value,
            None => self.backing[i] = value,
        }
    }

    /// `append(s, value)`: in place while the capacity lasts.
    pub(super) fn push(&mut self, value: Value) {
        match &mut self.moved {
            Some(items) => items.push(value),
            None if self.len < self.cap => {
                if self.len < self.backing.len() {
                    self.backing[self.len] = value;
                } else {
                    self.backing.push(value);
                }
                self.len += 1;
            }
            None => {
                let mut items = self.backing[..self.len].to_vec();
                items.push(value);
                self.moved = Some(items);
            }
        }
    }

    /// The list as the caller that decoded it now sees it: the backing
    /// array at its original length.
    pub(super) fn original_view(&self, original_len: usize) -> Vec<Value> {
        self.backing[..original_len.min(self.backing.len())].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn removing_shifts_in_place_and_appending_fills_the_freed_slot() {
        let mut slice = GoSlice::decoded(vec![json!("a"), json!("b"), json!("x")]);
        slice.remove(0);
        assert_eq!(slice.items(), [json!("b"), json!("x")]);
        assert_eq!(slice.original_view(3), [json!("b"), json!("x"), json!("x")]);
        slice.push(json!("c"));
        assert_eq!(slice.original_view(3), [json!("b"), json!("x"), json!("c")]);
    }

    #[test]
    fn appending_past_capacity_moves_the_slice() {
        let mut slice = GoSlice::decoded(vec![json!(1), json!(2)]);
        slice.push(json!(3));
        slice.set(0, json!(9));
        assert_eq!(slice.items(), [json!(9), json!(2), json!(3)]);
        assert_eq!(slice.original_view(2), [json!(1), json!(2)]);
    }
}
