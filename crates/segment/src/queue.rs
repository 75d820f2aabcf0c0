//! Closed segments waiting for the intake, bounded by their bytes.
//!
//! While the intake is unreachable segments pile up; the queue keeps about
//! its byte limit of them and drops the oldest first. A replay can only
//! resume after a gap from a full snapshot (a "keyframe"), so:
//!
//! - the newest keyframe is never dropped to make room: the queue may then
//!   hold more than its limit, and says it needs a new keyframe; once that
//!   arrives, everything before it can go;
//! - after a drop, the segments left in front of the oldest remaining
//!   keyframe are dropped too, since nothing could replay them;
//! - when a drop leaves no keyframe at all, the queue asks for one.
//!
//! So memory stays within the limit plus the stretch since the last
//! keyframe, and whatever is sent after a gap starts with a full snapshot.

use std::collections::VecDeque;

/// An item that knows how many bytes it keeps in memory.
pub trait QueuedBytes {
    /// The bytes the item holds.
    fn queued_bytes(&self) -> u64;

    /// True when a replay can start at this item (it holds a full
    /// snapshot).
    fn is_keyframe(&self) -> bool;
}

impl QueuedBytes for crate::Segment {
    fn queued_bytes(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn is_keyframe(&self) -> bool {
        self.metadata.has_full_snapshot
    }
}

/// What a [`BoundedQueue::push`] did.
#[must_use = "dropped items must be reported, and a needed keyframe requested"]
pub struct Pushed<T> {
    /// The items dropped, oldest first.
    pub dropped: Vec<T>,
    /// True when the queue needs a new keyframe to get back within its
    /// limit or to make what it holds replayable.
    pub needs_keyframe: bool,
}

/// A first-in first-out queue holding at most `limit_bytes` of items.
pub struct BoundedQueue<T> {
    items: VecDeque<T>,
    bytes: u64,
    limit_bytes: u64,
}

impl<T: QueuedBytes> BoundedQueue<T> {
    /// An empty queue of at most `limit_bytes`.
    pub fn new(limit_bytes: u64) -> Self {
        Self {
            items: VecDeque::new(),
            bytes: 0,
            limit_bytes,
        }
    }

    /// Adds `item` at the back, dropping old items as the module docs
    /// describe.
    pub fn push(&mut self, item: T) -> Pushed<T> {
        self.bytes += item.queued_bytes();
        self.items.push_back(item);

        let mut dropped = Vec::new();
        let newest_keyframe = self.items.iter().rposition(QueuedBytes::is_keyframe);
        let mut protected_from = newest_keyframe.unwrap_or(self.items.len() - 1);
        while self.bytes > self.limit_bytes && protected_from > 0 {
            if let Some(oldest) = self.pop() {
                dropped.push(oldest);
            }
            protected_from -= 1;
        }
        if !dropped.is_empty() {
            if let Some(keyframe) = self.items.iter().position(QueuedBytes::is_keyframe) {
                for _ in 0..keyframe {
                    if let Some(orphan) = self.pop() {
                        dropped.push(orphan);
                    }
                }
            }
        }

        let has_keyframe = self.items.iter().any(QueuedBytes::is_keyframe);
        let needs_keyframe =
            self.bytes > self.limit_bytes || (!dropped.is_empty() && !has_keyframe);
        Pushed {
            dropped,
            needs_keyframe,
        }
    }

    /// Changes the limit; it applies from the next [`Self::push`].
    pub fn set_limit_bytes(&mut self, limit_bytes: u64) {
        self.limit_bytes = limit_bytes;
    }

    /// Puts an item back at the front, as the next to send; it is not
    /// counted against the limit's drops, since it was already accepted.
    pub fn push_front(&mut self, item: T) {
        self.bytes += item.queued_bytes();
        self.items.push_front(item);
    }

    /// Takes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        let item = self.items.pop_front()?;
        self.bytes -= item.queued_bytes();
        Some(item)
    }

    /// Takes every item, oldest first.
    pub fn drain(&mut self) -> Vec<T> {
        self.bytes = 0;
        self.items.drain(..).collect()
    }

    /// The waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    /// The bytes held now.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// How many items are waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item(u64, &'static str, bool);

    impl QueuedBytes for Item {
        fn queued_bytes(&self) -> u64 {
            self.0
        }

        fn is_keyframe(&self) -> bool {
            self.2
        }
    }

    fn names(items: &[Item]) -> Vec<&'static str> {
        items.iter().map(|item| item.1).collect()
    }

    fn queue_of(limit: u64, items: Vec<Item>) -> BoundedQueue<Item> {
        let mut queue = BoundedQueue::new(limit);
        for item in items {
            let pushed = queue.push(item);
            assert!(pushed.dropped.is_empty() && !pushed.needs_keyframe);
        }
        queue
    }

    #[test]
    fn overflow_drops_the_oldest_and_the_orphans_before_the_next_keyframe() {
        let mut queue = queue_of(
            100,
            vec![
                Item(30, "k1", true),
                Item(30, "a", false),
                Item(10, "k2", true),
                Item(20, "b", false),
            ],
        );
        let pushed = queue.push(Item(20, "c", false));
        // Dropping k1 was enough for the bytes, but "a" cannot replay
        // without k1, so it goes too.
        assert_eq!(names(&pushed.dropped), ["k1", "a"]);
        assert!(!pushed.needs_keyframe);
        assert_eq!(names(&queue.drain()), ["k2", "b", "c"]);
        assert_eq!(queue.bytes(), 0);
    }

    #[test]
    fn the_newest_keyframe_is_kept_over_the_limit_until_a_new_one_comes() {
        let mut queue = queue_of(100, vec![Item(20, "a", false), Item(60, "k1", true)]);
        let pushed = queue.push(Item(30, "b", false));
        assert_eq!(names(&pushed.dropped), ["a"]);
        assert!(!pushed.needs_keyframe, "k1 and b fit: {}", queue.bytes());

        let pushed = queue.push(Item(30, "c", false));
        assert!(pushed.dropped.is_empty(), "k1 is protected");
        assert!(
            pushed.needs_keyframe,
            "over the limit: a new keyframe is needed"
        );
        assert_eq!(queue.bytes(), 120);

        let pushed = queue.push(Item(40, "k2", true));
        assert_eq!(names(&pushed.dropped), ["k1", "b", "c"]);
        assert!(!pushed.needs_keyframe);
        assert_eq!(names(&queue.drain()), ["k2"]);
    }

    #[test]
    fn a_drop_that_leaves_no_keyframe_asks_for_one() {
        let mut queue = queue_of(50, vec![Item(30, "a", false)]);
        let pushed = queue.push(Item(30, "b", false));
        assert_eq!(names(&pushed.dropped), ["a"]);
        assert!(pushed.needs_keyframe);
    }

    #[test]
    fn an_item_put_back_is_sent_next() {
        let mut queue = queue_of(100, vec![Item(10, "b", false)]);
        queue.push_front(Item(10, "a", false));
        assert_eq!(queue.bytes(), 20);
        assert_eq!(queue.pop().unwrap().1, "a");
        assert_eq!(queue.len(), 1);
        assert!(!queue.is_empty());
    }
}
