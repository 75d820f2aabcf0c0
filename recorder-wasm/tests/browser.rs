//! The recorder in a real browser: snapshot contents, privacy, mutation
//! ordering and input capture, checked on the JSON the recorder writes.
//!
//! Run with `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use serde_json::Value;
use tapedeck_model::RecordsMeta;
use tapedeck_recorder_wasm::batch::RecordSink;
use tapedeck_recorder_wasm::failure::RecorderError;
use tapedeck_recorder_wasm::full_snapshot::record_full_snapshot;
use tapedeck_recorder_wasm::options::RecorderOptions;
use tapedeck_recorder_wasm::recording::Recording;
use tapedeck_recorder_wasm::trackers::{input, mutation};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Collects every batch, joined the way the worker joins them.
struct CollectingSink(Rc<RefCell<Vec<u8>>>);

impl RecordSink for CollectingSink {
    fn send(&self, bytes: Vec<u8>, _meta: RecordsMeta) -> Result<(), RecorderError> {
        let mut collected = self.0.borrow_mut();
        if !collected.is_empty() {
            collected.push(b',');
        }
        collected.extend_from_slice(&bytes);
        Ok(())
    }
}

struct Harness {
    recording: Rc<Recording>,
    collected: Rc<RefCell<Vec<u8>>>,
}

impl Harness {
    fn new(privacy: &str) -> Self {
        let window = web_sys::window().unwrap();
        let json = format!(
            r#"{{"endpoint":"https://intake.test","applicationId":"test","privacy":"{privacy}"}}"#
        );
        let options =
            RecorderOptions::from_json(&json, &window.location().href().unwrap()).unwrap();
        let collected = Rc::new(RefCell::new(Vec::new()));
        let recording = Recording::new(
            window,
            options,
            Box::new(CollectingSink(Rc::clone(&collected))),
        )
        .unwrap();
        Self {
            recording,
            collected,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.recording.flush().unwrap();
        let mut json = b"[".to_vec();
        json.extend_from_slice(&self.collected.borrow());
        json.push(b']');
        serde_json::from_slice(&json).expect("the recorder must write valid JSON")
    }

    fn snapshot_root(&self) -> Value {
        record_full_snapshot(&self.recording);
        let events = self.events();
        assert_eq!(events[0]["type"], 4, "a Meta event comes first");
        assert_eq!(events[1]["type"], 2, "the FullSnapshot follows");
        events[1]["data"]["node"].clone()
    }
}

/// Puts `html` in a fresh container on the page and returns the container.
fn fixture(html: &str) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let body = document.body().unwrap();
    // The test runner reports through elements of its own in the body, so
    // only the previous fixture is removed.
    if let Some(previous) = document.get_element_by_id("fixture") {
        previous.remove();
    }
    let container = document.create_element("div").unwrap();
    container.set_id("fixture");
    container.set_inner_html(html);
    body.append_child(&container).unwrap();
    container
}

fn by_id(id: &str) -> Element {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_element_by_id(id)
        .unwrap()
}

/// Finds the serialized element whose `id` attribute is `id`.
fn find<'a>(node: &'a Value, id: &str) -> Option<&'a Value> {
    if node["attributes"]["id"] == id {
        return Some(node);
    }
    node["childNodes"]
        .as_array()?
        .iter()
        .find_map(|child| find(child, id))
}

fn all_ids(node: &Value, ids: &mut Vec<u64>) {
    ids.push(node["id"].as_u64().expect("every node has an id"));
    for child in node["childNodes"].as_array().into_iter().flatten() {
        all_ids(child, ids);
    }
}

fn text_of(node: &Value) -> String {
    let mut text = node["textContent"].as_str().unwrap_or("").to_string();
    for child in node["childNodes"].as_array().into_iter().flatten() {
        text.push_str(&text_of(child));
    }
    text
}

#[wasm_bindgen_test]
fn snapshot_records_structure_form_state_and_css() {
    fixture(
        r#"<p id="para" title="t">Hello <b>world</b></p><!-- a note -->
        <script id="code">window.secret = "script-body";</script>
        <style id="sheet">.x { background: url(img/a.png) }</style>
        <svg id="chart" viewBox="0 0 10 10"><circle id="dot" r="4"></circle></svg>
        <input id="field"><input id="box" type="checkbox"><textarea id="notes">default</textarea>
        <select id="choice"><option value="a">A</option><option id="picked" value="b">B</option></select>"#,
    );
    by_id("field")
        .unchecked_into::<HtmlInputElement>()
        .set_value("typed");
    by_id("box")
        .unchecked_into::<HtmlInputElement>()
        .set_checked(true);
    by_id("notes")
        .unchecked_into::<HtmlTextAreaElement>()
        .set_value("changed");
    by_id("choice")
        .unchecked_into::<HtmlSelectElement>()
        .set_value("b");

    let root = Harness::new("allow").snapshot_root();

    assert_eq!(root["type"], 0);
    assert_eq!(root["id"], 1, "the document is node 1");
    let mut ids = Vec::new();
    all_ids(&root, &mut ids);
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique");

    let para = find(&root, "para").unwrap();
    assert_eq!(para["tagName"], "p");
    assert_eq!(text_of(para), "Hello world");
    assert!(text_of(find(&root, "fixture").unwrap()).contains(" a note "));

    let script = find(&root, "code").unwrap();
    assert_eq!(
        script["childNodes"],
        serde_json::json!([]),
        "script bodies are never recorded"
    );

    let style = find(&root, "sheet").unwrap();
    assert_eq!(style["childNodes"][0]["isStyle"], true);
    let css = style["childNodes"][0]["textContent"].as_str().unwrap();
    assert!(
        css.contains("url(http") && css.contains("/img/a.png"),
        "relative CSS urls become absolute: {css}"
    );

    assert_eq!(find(&root, "chart").unwrap()["isSVG"], true);
    assert_eq!(find(&root, "dot").unwrap()["isSVG"], true);

    assert_eq!(
        find(&root, "field").unwrap()["attributes"]["value"],
        "typed"
    );
    assert_eq!(find(&root, "box").unwrap()["attributes"]["checked"], true);
    let notes = find(&root, "notes").unwrap();
    assert_eq!(notes["attributes"]["value"], "changed");
    assert_eq!(
        notes["childNodes"],
        serde_json::json!([]),
        "a textarea's value stands for its text"
    );
    assert_eq!(
        find(&root, "picked").unwrap()["attributes"]["selected"],
        true
    );
}

#[wasm_bindgen_test]
fn default_level_masks_values_and_keeps_page_text() {
    fixture(r#"<p id="para">Visible text</p><input id="field"><input id="pw" type="password">"#);
    by_id("field")
        .unchecked_into::<HtmlInputElement>()
        .set_value("jane@example.com");
    by_id("pw")
        .unchecked_into::<HtmlInputElement>()
        .set_value("hunter2");

    let root = Harness::new("mask-user-input").snapshot_root();

    assert_eq!(text_of(find(&root, "para").unwrap()), "Visible text");
    assert_eq!(
        find(&root, "field").unwrap()["attributes"]["value"],
        "****************"
    );
    assert_eq!(find(&root, "pw").unwrap()["attributes"]["value"], "*******");
}

#[wasm_bindgen_test]
fn allow_level_still_masks_passwords_and_drops_token_metas() {
    fixture(
        r#"<meta id="csrf" name="csrf-token" content="tok-123"><input id="pw" type="password"><input id="code" autocomplete="one-time-code">"#,
    );
    by_id("pw")
        .unchecked_into::<HtmlInputElement>()
        .set_value("hunter2");
    by_id("code")
        .unchecked_into::<HtmlInputElement>()
        .set_value("123456");

    let root = Harness::new("allow").snapshot_root();

    assert_eq!(find(&root, "pw").unwrap()["attributes"]["value"], "*******");
    assert_eq!(
        find(&root, "code").unwrap()["attributes"]["value"],
        "******"
    );
    assert!(find(&root, "csrf").is_none(), "token metas are left out");
    assert!(!root.to_string().contains("tok-123"));
}

#[wasm_bindgen_test]
fn mask_level_masks_text_and_attributes_and_hidden_keeps_only_a_box() {
    fixture(
        r#"<div id="masked" class="tapedeck-privacy-mask"><p title="Jane Doe">Jane Doe</p>
           <a id="link" href="/search?q=jane">go</a>
           <span id="open" data-tapedeck-privacy="allow">Public</span></div>
           <div id="secret" data-tapedeck-privacy="hidden" style="width:50px;height:20px">Hidden <b>text</b></div>"#,
    );

    let root = Harness::new("allow").snapshot_root();

    let masked = find(&root, "masked").unwrap();
    let paragraph = &masked["childNodes"][0];
    assert_eq!(paragraph["attributes"]["title"], "xxxx xxx");
    assert_eq!(text_of(paragraph), "xxxx xxx");
    let href = find(&root, "link").unwrap()["attributes"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(href.ends_with("/search"), "{href}");
    assert_eq!(
        text_of(find(&root, "open").unwrap()),
        "Public",
        "a child may relax its parent"
    );

    let secret = find_by_size(&root).expect("the hidden element is recorded as a box");
    assert_eq!(secret["childNodes"], serde_json::json!([]));
    assert_eq!(secret["attributes"]["rr_width"], "50px");
    assert!(!root.to_string().contains("Hidden"));
}

fn find_by_size(node: &Value) -> Option<&Value> {
    if node["attributes"]["rr_width"].is_string() {
        return Some(node);
    }
    node["childNodes"].as_array()?.iter().find_map(find_by_size)
}

#[wasm_bindgen_test]
fn mutations_are_ordered_so_every_reference_resolves() {
    let container = fixture(
        r#"<ul id="list"><li id="first">one</li><li id="last">two</li></ul><p id="other">x</p>"#,
    );
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();

    let document = web_sys::window().unwrap().document().unwrap();
    let list = by_id("list");
    for label in ["a", "b", "c"] {
        let item = document.create_element("li").unwrap();
        item.set_inner_html(&format!("<span>{label}</span>"));
        list.insert_before(&item, Some(&by_id("last"))).unwrap();
    }
    by_id("other").set_attribute("class", "changed").unwrap();
    by_id("first")
        .first_child()
        .unwrap()
        .set_node_value(Some("uno"));
    by_id("other").remove();
    let moved = by_id("last");
    container.append_child(&moved).unwrap();
    tracker.record_pending();

    let events = harness.events();
    let snapshot_ids = {
        let mut ids = Vec::new();
        all_ids(&events[1]["data"]["node"], &mut ids);
        ids
    };
    let mutation = events
        .iter()
        .find(|event| event["type"] == 3 && event["data"]["source"] == 0)
        .unwrap();
    let data = &mutation["data"];

    let removed: Vec<u64> = data["removes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        removed.len(),
        2,
        "the removed paragraph and the moved item: {data}"
    );

    // Replaying in order: every parentId and nextId is known when used.
    let mut known: HashSet<u64> = snapshot_ids.into_iter().collect();
    for id in &removed {
        known.remove(id);
    }
    for add in data["adds"].as_array().unwrap() {
        let parent = add["parentId"].as_u64().unwrap();
        assert!(known.contains(&parent), "parent {parent} unknown at {add}");
        if let Some(next) = add["nextId"].as_u64() {
            assert!(known.contains(&next), "next {next} unknown at {add}");
        }
        if add["node"]["type"] == 2 {
            assert_eq!(
                add["node"]["childNodes"],
                serde_json::json!([]),
                "children follow as adds of their own"
            );
        }
        known.insert(add["node"]["id"].as_u64().unwrap());
    }
    let added_items = data["adds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|add| add["node"]["tagName"] == "li")
        .count();
    assert_eq!(added_items, 4, "three new items and the moved one");
    assert_eq!(data["texts"][0]["value"], "uno");
    assert!(
        data["attributes"].as_array().unwrap().is_empty(),
        "the removed paragraph's change is moot"
    );
}

#[wasm_bindgen_test]
fn typed_input_is_recorded_and_masked_by_level() {
    for (privacy, expected) in [("allow", "hello"), ("mask-user-input", "*****")] {
        fixture(
            r#"<input id="field"><input type="radio" name="g" id="r1" checked><input type="radio" name="g" id="r2">"#,
        );
        let harness = Harness::new(privacy);
        record_full_snapshot(&harness.recording);
        let _tracker = input::start(&harness.recording).unwrap();

        let field = by_id("field").unchecked_into::<HtmlInputElement>();
        field.set_value("hello");
        field
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        let second = by_id("r2").unchecked_into::<HtmlInputElement>();
        second.set_checked(true);
        second
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();

        let events = harness.events();
        let inputs: Vec<&Value> = events
            .iter()
            .filter(|e| e["type"] == 3 && e["data"]["source"] == 5)
            .collect();
        assert_eq!(inputs[0]["data"]["text"], expected, "{privacy}");
        let checked: Vec<bool> = inputs[1..]
            .iter()
            .map(|e| e["data"]["isChecked"].as_bool().unwrap())
            .collect();
        assert_eq!(
            checked,
            vec![true, false],
            "checking a radio unchecks its group"
        );
    }
}
