// A normalised serialisation of a document, the same code for the live page
// and for the replayed one, so the two can be compared line by line.
//
// Each node becomes one line, indented by depth: `<tag name="value" …>` for
// an element (attributes sorted by name), a JSON string for text, `<!--…-->`
// for a comment, and `@property=value` lines under form controls and
// scrolled elements for state that lives in properties, not attributes.
//
// Normalisation rules, each undoing something the replayer does by design
// (rrweb-snapshot's rebuild and the Replayer), never something a recorder
// could get wrong unnoticed:
// 1. Attributes named `rr_*` and `_cssText` are the event format's own
//    instructions to the replayer, not page attributes; they are dropped.
// 2. `autocomplete` on <input> and <textarea> is dropped: rebuild sets
//    `autocomplete="off"` on every one of them.
// 3. The classes `rrweb-paused` (added to <html> while the replayer is
//    paused) and `:hover` (the replayer's stand-in for the hover state of
//    the elements under the recorded mouse) are dropped; an empty class
//    attribute left behind is dropped too.
// 4. A <style> that is a direct child of <html> is the replayer's injected
//    stylesheet (an HTML parser never puts one there) and is skipped.
// 5. Stylesheets: rebuild turns a <link rel="stylesheet"> whose CSS was
//    inlined into a <style> holding that CSS. So both <link rel="stylesheet">
//    and <style> become `<stylesheet rules=N>`, N being the number of rules
//    the browser parsed, and the text inside a <style> is not listed.
// 6. Scripts: rebuild turns every <script> into a <noscript> so nothing of
//    the recorded page runs, and the recorder does not keep script text. So
//    <script> and <noscript> are both listed as `<script …>` (attributes
//    kept) without their children.
// 7. `value`, `checked` and `selected` attributes of <input>, <textarea>,
//    <select> and <option> are dropped and the live state is compared
//    instead as `@value`, `@checked`, `@selected`; a <textarea>'s children
//    are not listed (rebuild writes the recorded value as its text).
// 8. `href`, `src` and `action` are resolved against the recorded page's URL
//    (the recorder sends absolute URLs; the page's HTML may be relative).
// 9. Elements matching `omitSelector` are not listed at all: the caller
//    names what the recorder leaves out on purpose and checks it apart.
// 10. Opaque elements are listed as `<tag [opaque name]>` without
//    attributes or children, and described apart for the caller to check.
//    In the live page they are named by id (`opaqueIds`); a hidden element
//    is recorded without its attributes, id included, so in the replay they
//    are found by their position in the tree (`opaquePaths`, the `path`
//    the live serialisation reported). Should the trees differ before that
//    position, the listed lines differ too and the comparison fails anyway.

/**
 * Runs inside a page (pass it to `frame.evaluate`). Returns `{ lines,
 * opaque }` where `opaque[name]` describes each opaque element: its path,
 * text, child count, attributes and box.
 */
export function serializeDocument({
  baseUrl,
  opaqueIds = [],
  opaquePaths = {},
  omitSelector = null,
}) {
  const FORM_CONTROLS = new Set(["input", "textarea", "select", "option"]);
  const FORM_STATE_ATTRIBUTES = new Set(["value", "checked", "selected"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action"]);
  const opaqueSet = new Set(opaqueIds);
  const opaqueByPath = new Map(
    Object.entries(opaquePaths).map(([name, path]) => [path.join("/"), name]),
  );
  const lines = [];
  const opaque = {};

  function attributeLines(element, tag) {
    const pairs = [];
    for (const { name, value } of Array.from(element.attributes)) {
      if (name.startsWith("rr_") || name === "_cssText") continue;
      if ((tag === "input" || tag === "textarea") && name === "autocomplete")
        continue;
      if (FORM_CONTROLS.has(tag) && FORM_STATE_ATTRIBUTES.has(name)) continue;
      let kept = value;
      if (name === "class") {
        kept = value
          .split(/\s+/)
          .filter(
            (token) => token && token !== "rrweb-paused" && token !== ":hover",
          )
          .join(" ");
        if (!kept) continue;
      }
      if (URL_ATTRIBUTES.has(name) && value && !value.startsWith("data:")) {
        kept = new URL(value, baseUrl).href;
      }
      pairs.push(`${name}=${JSON.stringify(kept)}`);
    }
    return pairs.sort();
  }

  function ruleCount(element) {
    try {
      return element.sheet ? element.sheet.cssRules.length : "unloaded";
    } catch (error) {
      return "unreadable";
    }
  }

  function opaqueName(element, path) {
    if (element.id && opaqueSet.has(element.id)) return element.id;
    return opaqueByPath.get(path.join("/"));
  }

  /** Children as listed: without the nodes rules 4 and 9 skip. */
  function listedChildren(node) {
    const isHtml = node.nodeName.toLowerCase() === "html";
    return Array.from(node.childNodes).filter((child) => {
      if (child.nodeType !== Node.ELEMENT_NODE) return true;
      if (isHtml && child.localName === "style") return false;
      return !(omitSelector && child.matches(omitSelector));
    });
  }

  function visit(node, depth, path) {
    const indent = "  ".repeat(depth);
    if (node.nodeType === Node.TEXT_NODE) {
      lines.push(indent + JSON.stringify(node.data));
      return;
    }
    if (node.nodeType === Node.COMMENT_NODE) {
      lines.push(`${indent}<!--${node.data}-->`);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;

    const tag = node.localName;

    const name = opaqueName(node, path);
    if (name) {
      const box = node.getBoundingClientRect();
      opaque[name] = {
        tag,
        path,
        text: node.textContent,
        childCount: node.childNodes.length,
        attributes: Object.fromEntries(
          Array.from(node.attributes, (attribute) => [
            attribute.name,
            attribute.value,
          ]),
        ),
        width: Math.round(box.width),
        height: Math.round(box.height),
      };
      lines.push(`${indent}<${tag} [opaque ${name}]>`);
      return;
    }

    const isStylesheet =
      tag === "style" ||
      (tag === "link" && /(^|\s)stylesheet(\s|$)/i.test(node.rel));
    if (isStylesheet) {
      lines.push(`${indent}<stylesheet rules=${ruleCount(node)}>`);
      return;
    }

    const attributes = attributeLines(node, tag);
    if (tag === "script" || tag === "noscript") {
      lines.push(`${indent}<${["script", ...attributes].join(" ")}>`);
      return;
    }
    lines.push(`${indent}<${[tag, ...attributes].join(" ")}>`);
    if (tag === "input" || tag === "textarea" || tag === "select") {
      lines.push(`${indent}  @value=${JSON.stringify(node.value)}`);
    }
    if (
      tag === "input" &&
      (node.type === "checkbox" || node.type === "radio")
    ) {
      lines.push(`${indent}  @checked=${node.checked}`);
    }
    if (tag === "option") {
      lines.push(`${indent}  @selected=${node.selected}`);
    }
    if (node.scrollTop || node.scrollLeft) {
      lines.push(
        `${indent}  @scroll=${Math.round(node.scrollLeft)},${Math.round(node.scrollTop)}`,
      );
    }
    if (tag === "textarea") return;
    listedChildren(node).forEach((child, index) =>
      visit(child, depth + 1, [...path, index]),
    );
  }

  const doctype = document.doctype
    ? `<!doctype ${document.doctype.name}>`
    : "<no doctype>";
  lines.push(doctype);
  visit(document.documentElement, 0, []);
  return { lines, opaque };
}
