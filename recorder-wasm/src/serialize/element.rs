//! What is recorded of an element: attributes, form state, inlined CSS.

use tapedeck_model::node::AttributeValue;
use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use tapedeck_privacy::{
    inherit_level, is_always_masked_input, is_sensitive_meta, level_from_markers, mask_input_value,
    mask_text, strip_url_query, PrivacyLevel, TextAttribute,
};
use wasm_bindgen::JsCast;
use web_sys::{
    CssImportRule, CssStyleSheet, Element, HtmlInputElement, HtmlLinkElement, HtmlMediaElement,
    HtmlOptionElement, HtmlSelectElement, HtmlStyleElement, HtmlTextAreaElement,
};

use super::{css, url, ChildContext, Description, NodeRecord, SerializeContext};
use crate::dom::read::{element_facts, ElementFacts};

/// Attributes holding one URL, made absolute for the replayer.
const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "href",
    "poster",
    "background",
    "action",
    "formaction",
    "xlink:href",
    "data",
];

/// Describes an element; `None` when it must not be recorded at all.
pub fn describe_element(
    context: &SerializeContext<'_>,
    element: &Element,
    parent_level: PrivacyLevel,
) -> Option<Description> {
    describe_element_facts(
        context,
        element_facts(element, context.reads_scroll),
        &|| element.clone(),
        parent_level,
    )
}

/// Describes an element from facts already read. `element` gives the
/// element itself, which only fields, stylesheets, media, dialogs and
/// hidden boxes need: a walk that reads facts in batches asks for it
/// only then.
pub fn describe_element_facts(
    context: &SerializeContext<'_>,
    facts: ElementFacts,
    element: &dyn Fn() -> Element,
    parent_level: PrivacyLevel,
) -> Option<Description> {
    let is_svg = facts.is_svg;
    let tag_name = if is_svg {
        facts.local_name.clone()
    } else {
        facts.local_name.to_ascii_lowercase()
    };

    if tag_name == "meta"
        && is_sensitive_meta(facts.attribute("name"), facts.attribute("http-equiv"))
    {
        return None;
    }

    let own_level =
        level_from_markers(facts.attribute(PRIVACY_ATTRIBUTE), facts.attribute("class"));
    context.markers.note(own_level);
    let level = inherit_level(parent_level, own_level);

    if level == PrivacyLevel::Hidden {
        return Some(Description {
            record: NodeRecord::Element {
                tag_name,
                attributes: box_attributes(&element()),
                is_svg,
            },
            level,
            descend: false,
            child_context: ChildContext::Normal,
            is_shadow_host: false,
        });
    }

    let dialog_open = facts.attribute("open").is_some();
    let iframe_source = (tag_name == "iframe")
        .then(|| facts.attribute("src").map(str::to_owned))
        .flatten();
    let mut attributes = recorded_attributes(context, facts.attributes, &tag_name, level);
    if tag_name == "img" && level.masks_text() {
        // The picture is left out (its source is not recorded); a box of
        // its size keeps the layout.
        attributes.extend(box_attributes(&element()));
    }
    match tag_name.as_str() {
        "input" | "textarea" | "select" | "option" => {
            add_form_state(&element(), &tag_name, level, &mut attributes);
        }
        "link" | "style" | "audio" | "video" => {
            add_element_state(context, &element(), &tag_name, &mut attributes);
        }
        "dialog" if dialog_open => add_dialog_state(&element(), &mut attributes),
        "iframe" => replace_iframe_source(context, iframe_source, &mut attributes),
        _ => {}
    }
    if facts.scroll_left != 0.0 {
        attributes.push((
            "rr_scrollLeft".into(),
            AttributeValue::Number(facts.scroll_left),
        ));
    }
    if facts.scroll_top != 0.0 {
        attributes.push((
            "rr_scrollTop".into(),
            AttributeValue::Number(facts.scroll_top),
        ));
    }

    let records_no_children = matches!(tag_name.as_str(), "script" | "noscript" | "textarea")
        || (tag_name == "style" && has_attribute(&attributes, "_cssText"));
    let descend = !records_no_children;
    let child_context = if tag_name == "style" {
        ChildContext::Style
    } else {
        ChildContext::Normal
    };

    Some(Description {
        record: NodeRecord::Element {
            tag_name,
            attributes,
            is_svg,
        },
        level,
        descend,
        child_context,
        is_shadow_host: facts.has_shadow_root,
    })
}

/// The element's own attributes after URL rewriting and masking. Event
/// handler attributes are dropped: they are code, not content.
fn recorded_attributes(
    context: &SerializeContext<'_>,
    read: Vec<(String, String)>,
    tag_name: &str,
    level: PrivacyLevel,
) -> Vec<(String, AttributeValue)> {
    let mut attributes = Vec::with_capacity(read.len());
    for (name, value) in read {
        if let Some(value) = recorded_attribute(context, tag_name, &name, value, level) {
            attributes.push((name, AttributeValue::Text(value)));
        }
    }
    attributes
}

/// One attribute's recorded value, or `None` when it is left out. Shared
/// with attribute mutations so later changes obey the same rules.
pub fn recorded_attribute(
    context: &SerializeContext<'_>,
    tag_name: &str,
    name: &str,
    value: String,
    level: PrivacyLevel,
) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("on") {
        return None;
    }
    // An iframe's content arrives as its own recorded document.
    if tag_name == "iframe" && (lower == "src" || lower == "srcdoc") {
        return None;
    }
    // Form values are recorded from the live property, under the input
    // rules, never from the attribute.
    if lower == "value" && matches!(tag_name, "input" | "textarea" | "select" | "option") {
        return (tag_name == "option" || tag_name == "input").then(|| {
            if level.masks_input() {
                mask_input_value(&value)
            } else {
                value
            }
        });
    }
    if level.masks_text() && tag_name == "img" && matches!(lower.as_str(), "src" | "srcset") {
        return None;
    }

    let value = if URL_ATTRIBUTES.contains(&lower.as_str()) {
        url::resolve(&value, context.base_url())
    } else if lower == "srcset" {
        url::resolve_srcset(&value, context.base_url())
    } else if lower == "style" {
        css::absolutify_css_urls(&value, |reference| {
            url::resolve(reference, context.base_url())
        })
    } else {
        value
    };

    if !level.masks_text() {
        return Some(value);
    }
    match TextAttribute::classify(&lower) {
        Some(TextAttribute::Text) => Some(mask_text(&value)),
        Some(TextAttribute::Url) => Some(strip_url_query(&value).to_string()),
        None => Some(value),
    }
}

/// Attributes of a hidden element: only its size, so the replay keeps the
/// layout without showing anything.
fn box_attributes(element: &Element) -> Vec<(String, AttributeValue)> {
    let rect = element.get_bounding_client_rect();
    vec![
        (
            "rr_width".into(),
            AttributeValue::Text(format!("{}px", rect.width())),
        ),
        (
            "rr_height".into(),
            AttributeValue::Text(format!("{}px", rect.height())),
        ),
    ]
}

/// Adds the live state of form fields, which attributes do not show once
/// the user has typed or clicked.
fn add_form_state(
    element: &Element,
    tag_name: &str,
    level: PrivacyLevel,
    attributes: &mut Vec<(String, AttributeValue)>,
) {
    match tag_name {
        "input" => {
            let input = element.unchecked_ref::<HtmlInputElement>();
            let kind = input.type_().to_ascii_lowercase();
            remove_attribute(attributes, "checked");
            if kind == "checkbox" || kind == "radio" {
                if input.checked() {
                    attributes.push(("checked".into(), AttributeValue::Flag(true)));
                }
            } else if !matches!(
                kind.as_str(),
                "submit" | "button" | "reset" | "image" | "file"
            ) {
                remove_attribute(attributes, "value");
                let value = input.value();
                let masked = level.masks_input()
                    || is_always_masked_input(
                        Some(&kind),
                        element.get_attribute("autocomplete").as_deref(),
                    );
                let value = if masked {
                    mask_input_value(&value)
                } else {
                    value
                };
                attributes.push(("value".into(), AttributeValue::Text(value)));
            }
        }
        "textarea" => {
            let textarea = element.unchecked_ref::<HtmlTextAreaElement>();
            let value = textarea.value();
            let masked = level.masks_input()
                || is_always_masked_input(None, element.get_attribute("autocomplete").as_deref());
            let value = if masked {
                mask_input_value(&value)
            } else {
                value
            };
            attributes.push(("value".into(), AttributeValue::Text(value)));
        }
        "select" => {
            let select = element.unchecked_ref::<HtmlSelectElement>();
            if !level.masks_input() {
                attributes.push(("value".into(), AttributeValue::Text(select.value())));
            }
        }
        "option" => {
            remove_attribute(attributes, "selected");
            let option = element.unchecked_ref::<HtmlOptionElement>();
            if option.selected() && !level.masks_input() {
                attributes.push(("selected".into(), AttributeValue::Flag(true)));
            }
        }
        _ => {}
    }
}

/// Adds state that lives outside attributes: inlined stylesheets and media
/// playback.
fn add_element_state(
    context: &SerializeContext<'_>,
    element: &Element,
    tag_name: &str,
    attributes: &mut Vec<(String, AttributeValue)>,
) {
    if tag_name == "link" {
        inline_linked_stylesheet(context, element, attributes);
    } else if tag_name == "style" {
        // The sheet, not the text, is what the page renders: rules inserted
        // through the CSS object model never show up in the text. So a
        // readable sheet is recorded as `_cssText` and the text nodes are
        // left out (changes to them are sent as a new `_cssText`).
        if let Some(text) = style_element_text(context, element) {
            attributes.push(("_cssText".into(), AttributeValue::Text(text)));
        }
    } else if matches!(tag_name, "audio" | "video") {
        add_media_state(element.unchecked_ref(), attributes);
    }
}

/// An open dialog's mode, which its attributes do not tell.
fn add_dialog_state(element: &Element, attributes: &mut Vec<(String, AttributeValue)>) {
    let mode = if element.matches(":modal").unwrap_or(false) {
        "modal"
    } else {
        "non-modal"
    };
    attributes.push(("rr_open_mode".into(), AttributeValue::Text(mode.into())));
}

/// An iframe's content is recorded as its own document (when readable), so
/// the replayer must not load the live address or `srcdoc` itself: the
/// source is kept only as `rr_src`. An unreadable (cross-origin) iframe
/// stays an empty placeholder; its own attributes and CSS give it the
/// recorded size.
fn replace_iframe_source(
    context: &SerializeContext<'_>,
    source: Option<String>,
    attributes: &mut Vec<(String, AttributeValue)>,
) {
    if let Some(source) = source {
        let source = url::resolve(&source, context.base_url());
        attributes.push(("rr_src".into(), AttributeValue::Text(source)));
    }
}

/// Playback state, which the replayer restores from `rr_media*`.
fn add_media_state(media: &HtmlMediaElement, attributes: &mut Vec<(String, AttributeValue)>) {
    let state = if media.paused() { "paused" } else { "played" };
    attributes.push(("rr_mediaState".into(), AttributeValue::Text(state.into())));
    attributes.push((
        "rr_mediaCurrentTime".into(),
        AttributeValue::Number(media.current_time()),
    ));
    attributes.push((
        "rr_mediaPlaybackRate".into(),
        AttributeValue::Number(media.playback_rate()),
    ));
    attributes.push(("rr_mediaMuted".into(), AttributeValue::Flag(media.muted())));
    attributes.push(("rr_mediaLoop".into(), AttributeValue::Flag(media.loop_())));
    attributes.push((
        "rr_mediaVolume".into(),
        AttributeValue::Number(media.volume()),
    ));
}

/// The rules of a `<style>` element's sheet, when it has a readable one.
pub fn style_element_text(context: &SerializeContext<'_>, element: &Element) -> Option<String> {
    let sheet = element.unchecked_ref::<HtmlStyleElement>().sheet()?;
    stylesheet_text(sheet.unchecked_ref(), context.base_url())
}

/// Replaces a readable `<link rel=stylesheet>` with its rules, so replay
/// does not depend on fetching the file again. Sheets that cannot be read
/// (cross-origin without CORS, not loaded yet) stay links.
pub fn inline_linked_stylesheet(
    context: &SerializeContext<'_>,
    element: &Element,
    attributes: &mut Vec<(String, AttributeValue)>,
) {
    let link = element.unchecked_ref::<HtmlLinkElement>();
    if !link
        .rel()
        .to_ascii_lowercase()
        .split_ascii_whitespace()
        .any(|rel| rel == "stylesheet")
    {
        return;
    }
    let Some(sheet) = link.sheet() else { return };
    let sheet_url = sheet
        .href()
        .ok()
        .flatten()
        .unwrap_or_else(|| context.base_url().to_owned());
    if let Some(text) = stylesheet_text(sheet.unchecked_ref(), &sheet_url) {
        remove_attribute(attributes, "rel");
        remove_attribute(attributes, "href");
        attributes.push(("_cssText".into(), AttributeValue::Text(text)));
    }
}

/// The rules of a readable stylesheet as text, with relative URLs resolved
/// against the sheet's own address; `None` when the browser refuses to
/// show them.
pub fn stylesheet_text(sheet: &CssStyleSheet, sheet_url: &str) -> Option<String> {
    let rules = sheet.css_rules().ok()?;
    let mut text = String::new();
    for index in 0..rules.length() {
        let Some(rule) = rules.item(index) else {
            continue;
        };
        // `@import` of a readable sheet is replaced by that sheet's rules,
        // so the replay does not have to fetch it; imports with media
        // conditions or unreadable sheets stay imports.
        // `type` 3 is CSSRule.IMPORT_RULE (an `instanceof` test would fail
        // for sheets of iframe documents).
        if rule.type_() == 3 {
            let import = rule.unchecked_ref::<CssImportRule>();
            let unconditional = import
                .media()
                .map_or(true, |media| media.media_text().trim().is_empty());
            let imported: Option<String> = import.style_sheet().and_then(|imported| {
                let url = imported
                    .href()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| sheet_url.to_string());
                stylesheet_text(&imported, &url)
            });
            if let (true, Some(imported)) = (unconditional, imported) {
                text.push_str(&imported);
                continue;
            }
        }
        text.push_str(&rule.css_text());
    }
    Some(css::absolutify_css_urls(&text, |reference| {
        url::resolve(reference, sheet_url)
    }))
}

/// The `_cssText` an element stands for now: a `<style>`'s rules or a
/// readable `<link>`'s, for changes after the snapshot.
pub fn current_css_text(context: &SerializeContext<'_>, element: &Element) -> Option<String> {
    match element.local_name().as_str() {
        "style" => style_element_text(context, element),
        "link" => {
            let mut attributes = Vec::new();
            inline_linked_stylesheet(context, element, &mut attributes);
            attributes
                .into_iter()
                .find_map(|(name, value)| match (name.as_str(), value) {
                    ("_cssText", AttributeValue::Text(text)) => Some(text),
                    _ => None,
                })
        }
        _ => None,
    }
}

fn has_attribute(attributes: &[(String, AttributeValue)], name: &str) -> bool {
    attributes.iter().any(|(existing, _)| existing == name)
}

fn remove_attribute(attributes: &mut Vec<(String, AttributeValue)>, name: &str) {
    attributes.retain(|(existing, _)| existing != name);
}
