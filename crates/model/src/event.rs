//! rrweb's event numbering.
//!
//! The numbers are part of the wire contract: rrweb's Replayer dispatches on
//! them, so they must never change. See `@rrweb/types` for the source.

/// The top-level kind of an event, its `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum EventType {
    /// The document finished parsing.
    DomContentLoaded = 0,
    /// The page finished loading.
    Load = 1,
    /// A complete serialization of the document.
    FullSnapshot = 2,
    /// A change relative to the last snapshot; see [`IncrementalSource`].
    IncrementalSnapshot = 3,
    /// The page's address and viewport size; precedes each full snapshot.
    Meta = 4,
    /// An event the page added itself.
    Custom = 5,
    /// An event from a recorder plugin.
    Plugin = 6,
}

/// What an incremental snapshot describes, its `data.source` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum IncrementalSource {
    /// Nodes added or removed, attributes or text changed.
    Mutation = 0,
    /// A sampled pointer path.
    MouseMove = 1,
    /// A click, press, focus change or touch; see [`MouseInteraction`].
    MouseInteraction = 2,
    /// The page or an element scrolled.
    Scroll = 3,
    /// The viewport changed size.
    ViewportResize = 4,
    /// A form field's value or checked state changed.
    Input = 5,
    /// A sampled touch path.
    TouchMove = 6,
    /// A media element played, paused or seeked.
    MediaInteraction = 7,
    /// A stylesheet rule was inserted or deleted.
    StyleSheetRule = 8,
    /// A canvas was drawn on.
    CanvasMutation = 9,
    /// A web font was loaded.
    Font = 10,
    /// A drag gesture.
    Drag = 12,
    /// A style declaration was set or removed.
    StyleDeclaration = 13,
    /// The text selection changed.
    Selection = 14,
    /// Constructed stylesheets were adopted.
    AdoptedStyleSheet = 15,
    /// A custom element was defined.
    CustomElement = 16,
}

/// The kind of a pointer or focus interaction, its `data.type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MouseInteraction {
    /// A button was released.
    MouseUp = 0,
    /// A button was pressed.
    MouseDown = 1,
    /// A click completed.
    Click = 2,
    /// The context menu was requested.
    ContextMenu = 3,
    /// A double click completed.
    DblClick = 4,
    /// An element gained focus.
    Focus = 5,
    /// An element lost focus.
    Blur = 6,
    /// A touch began.
    TouchStart = 7,
    /// A touch ended.
    TouchEnd = 9,
    /// A touch was cancelled.
    TouchCancel = 10,
}

impl MouseInteraction {
    /// Maps a DOM event type (`"click"`, `"touchstart"`, …) to its
    /// interaction, or `None` for events that are not interactions.
    pub fn from_dom_event(name: &str) -> Option<Self> {
        Some(match name {
            "mouseup" => Self::MouseUp,
            "mousedown" => Self::MouseDown,
            "click" => Self::Click,
            "contextmenu" => Self::ContextMenu,
            "dblclick" => Self::DblClick,
            "focus" => Self::Focus,
            "blur" => Self::Blur,
            "touchstart" => Self::TouchStart,
            "touchend" => Self::TouchEnd,
            "touchcancel" => Self::TouchCancel,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_rrweb_v2() {
        assert_eq!(EventType::FullSnapshot as u8, 2);
        assert_eq!(EventType::Meta as u8, 4);
        assert_eq!(IncrementalSource::Input as u8, 5);
        assert_eq!(IncrementalSource::Drag as u8, 12);
        assert_eq!(IncrementalSource::CustomElement as u8, 16);
        assert_eq!(MouseInteraction::TouchEnd as u8, 9);
    }

    #[test]
    fn dom_event_names_map_to_interactions() {
        assert_eq!(
            MouseInteraction::from_dom_event("dblclick"),
            Some(MouseInteraction::DblClick)
        );
        assert_eq!(
            MouseInteraction::from_dom_event("touchcancel"),
            Some(MouseInteraction::TouchCancel)
        );
        assert_eq!(MouseInteraction::from_dom_event("mousemove"), None);
    }
}
