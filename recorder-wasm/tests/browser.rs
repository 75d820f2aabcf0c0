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
use tapedeck_recorder_wasm::trackers::{input, mutation, selection};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

// Kept in this test binary: every test binary starts a browser of its own,
// and each start can stall (see scripts/wasm-browser-test.sh).
#[path = "browser/url_resolution.rs"]
mod url_resolution;

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
    assert_eq!(
        style["childNodes"],
        serde_json::json!([]),
        "a readable sheet stands for its text"
    );
    let css = style["attributes"]["_cssText"].as_str().unwrap();
    assert!(
        css.contains("url(\"http") && css.contains("/img/a.png"),
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
           <img id="photo" src="/photos/jane.png" alt="Jane" style="width:30px;height:12px">
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

    let photo = find(&root, "photo").unwrap();
    assert!(
        photo["attributes"].get("src").is_none(),
        "masked images are left out"
    );
    assert_eq!(
        photo["attributes"]["rr_width"], "30px",
        "a box of the image's size stays"
    );
    assert_eq!(photo["attributes"]["alt"], "xxxx");

    let secret = find_by_size(&root).expect("the hidden element is recorded as a box");
    assert_eq!(secret["childNodes"], serde_json::json!([]));
    assert_eq!(secret["attributes"]["rr_width"], "50px");
    assert!(!root.to_string().contains("Hidden"));
}

fn find_by_size(node: &Value) -> Option<&Value> {
    if node["tagName"] == "div" && node["attributes"]["rr_width"].is_string() {
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

fn mutation_events(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|event| event["type"] == 3 && event["data"]["source"] == 0)
        .collect()
}

#[wasm_bindgen_test]
fn shadow_roots_are_recorded_after_light_children_and_followed() {
    fixture(r#"<div id="host"><span>light</span></div>"#);
    let shadow = by_id("host")
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    shadow.set_inner_html(r#"<p id="inside">shadow text</p>"#);

    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();
    let added = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("b")
        .unwrap();
    added.set_text_content(Some("late"));
    shadow.append_child(&added).unwrap();
    tracker.record_pending();

    let events = harness.events();
    let host = find(&events[1]["data"]["node"], "host").unwrap();
    assert_eq!(host["isShadowHost"], true);
    assert_eq!(
        host["childNodes"][0]["tagName"], "span",
        "light children first"
    );
    let inside = &host["childNodes"][1];
    assert_eq!(inside["attributes"]["id"], "inside");
    assert_eq!(inside["isShadow"], true);

    let mutations = mutation_events(&events);
    let add = &mutations[0]["data"]["adds"][0];
    assert_eq!(
        add["parentId"], host["id"],
        "shadow children are added under their host"
    );
    assert_eq!(add["node"]["isShadow"], true);
    assert_eq!(add["node"]["tagName"], "b");
}

async fn loaded_iframe(container: &Element) -> web_sys::HtmlIFrameElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let iframe: web_sys::HtmlIFrameElement =
        document.create_element("iframe").unwrap().unchecked_into();
    iframe.set_id("frame");
    iframe.set_srcdoc(r#"<p id="framed">inside the frame</p>"#);
    let loaded = js_sys::Promise::new(&mut |resolve, _| {
        iframe.set_onload(Some(&resolve));
    });
    container.append_child(&iframe).unwrap();
    JsFuture::from(loaded).await.unwrap();
    iframe
}

#[wasm_bindgen_test]
async fn same_origin_iframes_are_attached_with_root_ids_and_followed() {
    let container = fixture("");
    let iframe = loaded_iframe(&container).await;

    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();
    let framed = iframe
        .content_document()
        .unwrap()
        .get_element_by_id("framed")
        .unwrap();
    framed.set_attribute("class", "late").unwrap();
    tracker.record_pending();

    let events = harness.events();
    let frame = find(&events[1]["data"]["node"], "frame").unwrap().clone();
    let mutations = mutation_events(&events);
    let attach = mutations
        .iter()
        .find(|event| event["data"]["isAttachIframe"] == true)
        .expect("the iframe's document is attached");
    let add = &attach["data"]["adds"][0];
    assert_eq!(add["parentId"], frame["id"]);
    let document = &add["node"];
    assert_eq!(document["type"], 0);
    assert!(
        document.get("rootId").is_none(),
        "the iframe document itself has no rootId"
    );
    let framed_node = find(document, "framed").expect("the frame's content is serialized");
    assert_eq!(framed_node["rootId"], document["id"]);

    let change = mutations
        .iter()
        .find(|event| {
            event["data"]["attributes"]
                .as_array()
                .is_some_and(|attributes| !attributes.is_empty())
        })
        .unwrap_or_else(|| panic!("mutations inside the iframe are followed: {mutations:?}"));
    assert_eq!(change["data"]["attributes"][0]["id"], framed_node["id"]);
}

#[wasm_bindgen_test]
fn cssom_changes_become_rule_and_declaration_events() {
    fixture(
        r#"<style id="sheet">.a { color: red; } @media screen { .b { color: blue; } }</style>"#,
    );
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();

    let style: web_sys::HtmlStyleElement = by_id("sheet").unchecked_into();
    let sheet: web_sys::CssStyleSheet = style.sheet().unwrap().unchecked_into();
    sheet.insert_rule_with_index(".c { margin: 0 }", 1).unwrap();
    let media: web_sys::CssGroupingRule =
        sheet.css_rules().unwrap().item(2).unwrap().unchecked_into();
    media
        .insert_rule_with_index(".d { padding: 0 }", 0)
        .unwrap();
    sheet.delete_rule(0).unwrap();
    let rule: web_sys::CssStyleRule = sheet.css_rules().unwrap().item(0).unwrap().unchecked_into();
    rule.style().set_property("color", "green").unwrap();
    drop(tracker);

    let events = harness.events();
    let style_id = find(&events[1]["data"]["node"], "sheet").unwrap()["id"].clone();
    let rules: Vec<&Value> = events.iter().filter(|e| e["data"]["source"] == 8).collect();
    assert_eq!(rules.len(), 3, "{rules:?}");
    assert_eq!(rules[0]["data"]["id"], style_id);
    assert_eq!(rules[0]["data"]["adds"][0]["index"], 1);
    assert_eq!(
        rules[1]["data"]["adds"][0]["index"],
        serde_json::json!([2, 0])
    );
    assert_eq!(rules[2]["data"]["removes"][0]["index"], 0);
    let declaration = events.iter().find(|e| e["data"]["source"] == 13).unwrap();
    assert_eq!(declaration["data"]["index"], serde_json::json!([0]));
    assert_eq!(declaration["data"]["set"]["value"], "green");
}

#[wasm_bindgen_test]
fn values_set_from_script_are_recorded_as_input() {
    fixture(
        r#"<input id="field"><select id="choice"><option>a</option><option>b</option></select>"#,
    );
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = input::start(&harness.recording).unwrap();

    by_id("field")
        .unchecked_into::<HtmlInputElement>()
        .set_value("from script");
    by_id("choice")
        .unchecked_into::<HtmlSelectElement>()
        .set_selected_index(1);
    drop(tracker);

    let events = harness.events();
    let inputs: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == 3 && e["data"]["source"] == 5)
        .collect();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert_eq!(inputs[0]["data"]["text"], "from script");
    assert_eq!(inputs[0]["data"]["userTriggered"], false);
    assert_eq!(inputs[1]["data"]["text"], "b");
}

#[wasm_bindgen_test]
fn adopted_stylesheets_are_sent_with_their_rules_once_per_snapshot() {
    fixture(r#"<div id="styled-host"></div>"#);
    let sheet = web_sys::CssStyleSheet::new().unwrap();
    sheet
        .replace_sync(".adopted { color: rgb(1, 2, 3); }")
        .unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let host_shadow = by_id("styled-host")
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let sheets = js_sys::Array::of1(&sheet);
    js_sys::Reflect::set(&host_shadow, &"adoptedStyleSheets".into(), &sheets).unwrap();

    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();
    // Adopting the same sheet on the document reuses its id, without rules.
    js_sys::Reflect::set(&document, &"adoptedStyleSheets".into(), &sheets).unwrap();
    drop(tracker);
    js_sys::Reflect::set(
        &document,
        &"adoptedStyleSheets".into(),
        &js_sys::Array::new(),
    )
    .unwrap();

    let events = harness.events();
    let adopted: Vec<&Value> = events
        .iter()
        .filter(|e| e["data"]["source"] == 15)
        .collect();
    assert_eq!(adopted.len(), 2, "{adopted:?}");
    let host_id = find(&events[1]["data"]["node"], "styled-host").unwrap()["id"].clone();
    assert_eq!(adopted[0]["data"]["id"], host_id);
    let style_id = adopted[0]["data"]["styleIds"][0].clone();
    assert_eq!(adopted[0]["data"]["styles"][0]["styleId"], style_id);
    let rule = adopted[0]["data"]["styles"][0]["rules"][0]["rule"]
        .as_str()
        .unwrap();
    assert!(rule.contains("rgb(1, 2, 3)"), "{rule}");
    assert_eq!(adopted[1]["data"]["id"], 1, "the document is the host");
    assert_eq!(adopted[1]["data"]["styleIds"][0], style_id);
    assert_eq!(
        adopted[1]["data"]["styles"],
        serde_json::json!([]),
        "rules are sent once"
    );
}

#[wasm_bindgen_test]
fn attributes_that_a_read_by_name_cannot_give_are_read_exactly() {
    fixture(r#"<p id="plain" title="a"></p><p id="upper"></p><p id="nul"></p>"#);
    // An upper-case name set through the namespaced call is kept as it is
    // on an HTML element, where reading it back by name lower-cases it.
    by_id("upper")
        .set_attribute_ns(None, "Data-Case", "kept")
        .unwrap();
    by_id("nul").set_attribute("title", "a\u{0}b").unwrap();
    let root = Harness::new("allow").snapshot_root();
    assert_eq!(find(&root, "plain").unwrap()["attributes"]["title"], "a");
    assert_eq!(
        find(&root, "upper").unwrap()["attributes"]["Data-Case"],
        "kept"
    );
    assert_eq!(
        find(&root, "nul").unwrap()["attributes"]["title"],
        "a\u{0}b"
    );
}

#[wasm_bindgen_test]
fn media_state_is_in_the_snapshot() {
    fixture(r#"<video id="clip" muted loop></video>"#);
    let root = Harness::new("allow").snapshot_root();
    let clip = find(&root, "clip").unwrap();
    assert_eq!(clip["attributes"]["rr_mediaState"], "paused");
    assert_eq!(clip["attributes"]["rr_mediaLoop"], true);
    assert_eq!(clip["attributes"]["rr_mediaPlaybackRate"], 1);
}

#[wasm_bindgen_test]
fn a_subtree_that_becomes_masked_is_sent_again_masked() {
    fixture(r#"<div id="card"><p id="holder">Jane Doe</p></div>"#);
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();
    by_id("card")
        .set_attribute("class", "tapedeck-privacy-mask")
        .unwrap();
    tracker.record_pending();
    by_id("holder")
        .first_child()
        .unwrap()
        .set_node_value(Some("John Roe"));
    tracker.record_pending();

    let events = harness.events();
    let mutations = mutation_events(&events);
    let card_id = find(&events[1]["data"]["node"], "card").unwrap()["id"].clone();
    let first = &mutations[0]["data"];
    assert_eq!(first["removes"][0]["id"], card_id);
    let texts: Vec<&Value> = first["adds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|add| add["node"]["type"] == 3)
        .collect();
    assert_eq!(texts[0]["node"]["textContent"], "xxxx xxx");
    assert_eq!(
        mutations[1]["data"]["texts"][0]["value"], "xxxx xxx",
        "later changes obey the new level"
    );
}

#[wasm_bindgen_test]
fn a_marker_first_met_in_added_nodes_governs_later_changes_beneath_it() {
    // The page starts without any privacy marker, so levels are the
    // page's without looking up the tree, until one arrives.
    fixture(r#"<div id="feed"><p>Public</p></div>"#);
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();

    by_id("feed")
        .insert_adjacent_html(
            "beforeend",
            r#"<section data-tapedeck-privacy="mask"><p id="late">Secret</p></section>"#,
        )
        .unwrap();
    tracker.record_pending();
    by_id("late")
        .first_child()
        .unwrap()
        .set_node_value(Some("Classified"));
    tracker.record_pending();

    let events = harness.events();
    let mutations = mutation_events(&events);
    assert_eq!(mutations[1]["data"]["texts"][0]["value"], "xxxxxxxxxx");
}

/// Scrolls the element `id` down by 30 pixels.
fn scroll_down(id: &str) {
    by_id(id).set_scroll_top(30);
    assert_eq!(by_id(id).scroll_top(), 30, "{id} must be scrollable");
}

/// The recorded vertical scroll offset of the element `id`.
fn recorded_scroll_top(root: &Value, id: &str) -> Value {
    find(root, id).unwrap()["attributes"]["rr_scrollTop"].clone()
}

#[wasm_bindgen_test]
fn elements_made_scrollable_by_rules_or_inline_styles_keep_their_offsets() {
    let lines = "<p>line</p>".repeat(20);
    fixture(&format!(
        r#"<style>.pane {{ height: 50px; overflow: auto }}
        .by-variable {{ --scroll: auto; height: 50px; overflow: var(--scroll) }}
        .by-logical {{ height: 50px; overflow-block: scroll }}
        .by-pair {{ height: 50px; overflow: clip auto }}
        .clipped {{ height: 50px; overflow: clip visible }}</style>
        <div id="by-rule" class="pane">{lines}</div>
        <span id="inline-element" class="pane" style="display:block">{lines}</span>
        <div id="by-inline-style" style="height:50px;overflow-y:scroll">{lines}</div>
        <div id="by-variable" class="by-variable">{lines}</div>
        <div id="by-logical" class="by-logical">{lines}</div>
        <div id="by-pair" class="by-pair">{lines}</div>
        <div id="clipped" class="clipped">{lines}</div>
        <p id="plain">not a scroll container</p>"#
    ));
    let scrolled = [
        "by-rule",
        "inline-element",
        "by-inline-style",
        "by-variable",
        "by-logical",
        "by-pair",
    ];
    for id in scrolled {
        scroll_down(id);
    }
    let candidates = tapedeck_recorder_wasm::dom::scrollable::candidates(by_id("fixture").as_ref())
        .expect("the page's rules can be read");
    for id in ["by-rule", "by-variable", "by-logical", "by-pair"] {
        assert!(candidates.has(&by_id(id)), "{id} is selected by its rule");
    }
    for id in ["plain", "clipped"] {
        assert!(
            !candidates.has(&by_id(id)),
            "{id}: elements no rule makes scrollable are not asked"
        );
    }

    let root = Harness::new("allow").snapshot_root();
    for id in scrolled {
        assert_eq!(recorded_scroll_top(&root, id), 30, "{id}");
    }
}

#[wasm_bindgen_test]
fn elements_scrollable_through_a_shadow_tree_or_nested_rules_keep_their_offsets() {
    let lines = "<p>line</p>".repeat(20);
    fixture(&format!(
        r#"<style>.outer {{ & .deep {{ height: 50px; overflow: auto }} }}</style>
        <div class="outer"><div id="deep" class="deep">{lines}</div></div>
        <div id="host"><div id="slotted" class="light">{lines}</div></div>"#
    ));
    let shadow = by_id("host")
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    shadow.set_inner_html(&format!(
        r#"<style>.inner {{ height: 50px; overflow: auto }}
        ::slotted(.light) {{ display: block; height: 50px; overflow: auto }}</style>
        <div id="inner" class="inner">{lines}</div><slot></slot>"#
    ));
    scroll_down("deep");
    scroll_down("slotted");
    let inner = shadow.get_element_by_id("inner").unwrap();
    inner.set_scroll_top(30);
    assert_eq!(inner.scroll_top(), 30);

    let root = Harness::new("allow").snapshot_root();
    assert_eq!(recorded_scroll_top(&root, "deep"), 30);
    assert_eq!(recorded_scroll_top(&root, "slotted"), 30);
    assert_eq!(recorded_scroll_top(&root, "inner"), 30);
}

#[wasm_bindgen_test]
fn a_box_resent_for_a_privacy_change_keeps_its_scroll_offset() {
    let lines = "<p>line</p>".repeat(40);
    fixture(&format!(
        r#"<div id="pane" style="height:50px;overflow:auto">{lines}</div>"#
    ));
    by_id("pane").set_scroll_top(30);
    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let tracker = mutation::start(&harness.recording).unwrap();

    by_id("pane")
        .set_attribute("class", "tapedeck-privacy-mask")
        .unwrap();
    tracker.record_pending();
    // A new box is attached unscrolled, so its offsets are not read (that
    // would make the browser lay out the page on every mutation).
    let fresh = by_id("fixture");
    fresh
        .insert_adjacent_html("beforeend", r#"<div id="fresh">new</div>"#)
        .unwrap();
    tracker.record_pending();

    let events = harness.events();
    let mutations = mutation_events(&events);
    let resent = mutations[0]["data"]["adds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|add| add["node"]["attributes"]["id"] == "pane")
        .expect("the pane is sent again under its new level");
    assert_eq!(resent["node"]["attributes"]["rr_scrollTop"], 30);
    let added = &mutations[1]["data"]["adds"][0]["node"];
    assert_eq!(added["attributes"]["id"], "fresh");
    assert!(added["attributes"].get("rr_scrollTop").is_none());
}

#[wasm_bindgen_test]
async fn a_shadow_root_met_in_the_first_slice_is_followed_while_the_walk_goes_on() {
    let mut html = String::from(r#"<div id="early-host"></div><ul>"#);
    for index in 0..600 {
        html.push_str(&format!("<li>item {index}</li>"));
    }
    html.push_str("</ul>");
    fixture(&html);
    let shadow = by_id("early-host")
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    shadow.set_inner_html("<p>inside</p>");

    let harness = Harness::new("allow");
    let (done, finished) = {
        let mut resolve_slot = None;
        let promise = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        (resolve_slot.unwrap(), promise)
    };
    tapedeck_recorder_wasm::sliced_snapshot::start_with_budget(
        &harness.recording,
        0.0,
        move || {
            done.call0(&wasm_bindgen::JsValue::NULL).unwrap();
        },
    )
    .unwrap();
    // The walk is past the host, and not done with the page.
    let added = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("b")
        .unwrap();
    added.set_text_content(Some("added behind the walk"));
    shadow.append_child(&added).unwrap();
    JsFuture::from(finished).await.unwrap();

    let events = harness.events();
    let snapshot = events.iter().find(|event| event["type"] == 2).unwrap();
    let host = find(&snapshot["data"]["node"], "early-host").unwrap();
    let adds: Vec<&Value> = mutation_events(&events)
        .iter()
        .flat_map(|mutation| mutation["data"]["adds"].as_array().unwrap())
        .collect();
    assert!(
        adds.iter()
            .any(|add| add["parentId"] == host["id"] && add["node"]["tagName"] == "b"),
        "the change inside the shadow root is sent after the snapshot: {adds:?}"
    );
}

#[wasm_bindgen_test]
async fn a_sliced_snapshot_stays_consistent_with_changes_between_slices() {
    let mut html = String::from(r#"<ul id="early">"#);
    for index in 0..300 {
        html.push_str(&format!("<li>early {index}</li>"));
    }
    html.push_str(r#"</ul><p id="moving">moving</p><ul id="late">"#);
    for index in 0..300 {
        html.push_str(&format!("<li>late {index}</li>"));
    }
    html.push_str(r#"</ul><p id="doomed">doomed</p>"#);
    fixture(&html);

    let harness = Harness::new("allow");
    let (done, finished) = {
        let mut resolve_slot = None;
        let promise = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        (resolve_slot.unwrap(), promise)
    };
    tapedeck_recorder_wasm::sliced_snapshot::start_with_budget(
        &harness.recording,
        0.0,
        move || {
            done.call0(&wasm_bindgen::JsValue::NULL).unwrap();
        },
    )
    .unwrap();

    // Between slices: the walk has written the first part of the page.
    let document = web_sys::window().unwrap().document().unwrap();
    let early = by_id("early");
    let extra = document.create_element("li").unwrap();
    extra.set_text_content(Some("added behind the walk"));
    early.append_child(&extra).unwrap();
    early
        .first_element_child()
        .unwrap()
        .set_text_content(Some("changed behind the walk"));
    by_id("late")
        .append_child(&by_id("early").last_element_child().unwrap())
        .unwrap();
    by_id("doomed").remove();
    JsFuture::from(finished).await.unwrap();

    let events = harness.events();
    let snapshot = events
        .iter()
        .find(|event| event["type"] == 2)
        .expect("a full snapshot");
    let mut ids = Vec::new();
    all_ids(&snapshot["data"]["node"], &mut ids);
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no node is written twice");
    let text = snapshot["data"]["node"].to_string();
    assert!(
        !text.contains("doomed"),
        "a node removed ahead of the walk is not written"
    );

    // Every reference in the changes sent after the snapshot resolves.
    let mut known: HashSet<u64> = ids.into_iter().collect();
    let after = mutation_events(&events);
    assert!(
        !after.is_empty(),
        "changes behind the walk are sent after the snapshot"
    );
    for mutation in after {
        for remove in mutation["data"]["removes"].as_array().unwrap() {
            assert!(known.remove(&remove["id"].as_u64().unwrap()), "{remove}");
        }
        for add in mutation["data"]["adds"].as_array().unwrap() {
            assert!(known.contains(&add["parentId"].as_u64().unwrap()), "{add}");
            if let Some(next) = add["nextId"].as_u64() {
                assert!(known.contains(&next), "{add}");
            }
            known.insert(add["node"]["id"].as_u64().unwrap());
        }
        for change in mutation["data"]["texts"].as_array().unwrap() {
            assert!(known.contains(&change["id"].as_u64().unwrap()), "{change}");
        }
    }
    let all = serde_json::to_string(&events).unwrap();
    assert!(all.contains("added behind the walk"));
    assert!(all.contains("changed behind the walk"));
}

/// Waits `ms` milliseconds, long enough for queued `selectionchange` events.
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn carets_are_left_out_and_a_cleared_selection_is_recorded_once() {
    fixture(r#"<p id="para">hello world</p>"#);
    let document = web_sys::window().unwrap().document().unwrap();
    let selection = document.get_selection().unwrap().unwrap();
    selection.remove_all_ranges().unwrap();
    pause(20).await;

    let harness = Harness::new("allow");
    record_full_snapshot(&harness.recording);
    let _tracker = selection::attach(&harness.recording, &document).unwrap();
    let text = by_id("para").first_child().unwrap();
    let steps: [(u32, u32); 4] = [(2, 2), (0, 5), (3, 3), (4, 4)];
    for (start, end) in steps {
        selection
            .set_base_and_extent(&text, start, &text, end)
            .unwrap();
        pause(20).await;
    }

    let offsets: Vec<(u64, u64)> = harness
        .events()
        .iter()
        .filter(|event| event["type"] == 3 && event["data"]["source"] == 14)
        .map(|event| {
            let range = &event["data"]["ranges"][0];
            (
                range["startOffset"].as_u64().unwrap(),
                range["endOffset"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        offsets,
        vec![(0, 5), (3, 3)],
        "the first caret and the caret after the cleared one show nothing"
    );
}
