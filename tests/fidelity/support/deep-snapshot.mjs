// A normalised serialisation of a document that, unlike
// tests/e2e/support/dom-snapshot.mjs, descends into open shadow roots and
// same-origin iframe documents, lists stylesheet rules and adopted
// stylesheets, and samples computed styles. The same code runs in the live
// page and in the replayed one.
//
// It keeps rules 1 to 8 of dom-snapshot.mjs (see there; C below details
// rule 5) and adds:
// A. An open shadow root is listed as `#shadow-root` under its host, before
//    the host's light children, followed by its nodes and `@adopted` sheets.
// B. An iframe's `src` and `srcdoc` are dropped: the event format keeps them
//    as `rr_src` so the replayer never loads them, and the recorded document
//    is compared instead, listed as `#document` under the iframe. An iframe
//    marked `data-fidelity-cross-origin` is listed as `@frame=cross-origin`
//    with no document: its content cannot be read live, and the replay holds
//    an empty placeholder (its size is compared with the computed styles).
// C. A stylesheet is listed with its rules, one line each, an `@import`
//    replaced by the imported sheet's rules (the recorder inlines what it
//    can read) and grouping rules (`@media`, `@supports`) opened into their
//    own rules. In a selector list, entries holding `.\:hover` are dropped:
//    the replayer adds them next to every `:hover` selector to show the
//    recorded hover state.
// D. Media elements list `@media=paused|playing` with their current time
//    (0.1 s), volume, rate and muted state; a <dialog> lists `@open=modal`
//    or `@open=non-modal` when open; the top document lists its selection
//    (start and end by tree position and offset, and the selected text).
// E. An attribute listed twice with the same name and value is listed
//    once: when the replayer seeks, its virtual DOM sets `xmlns` on SVG
//    elements again in the XMLNS namespace, next to the one the rebuild
//    set without a namespace. A recording cannot cause this (an element's
//    recorded attributes have unique names).
// F. Computed styles (STYLE_PROPERTIES) are sampled for every element with
//    an id and every tenth element of the body, keyed by tree position.

/**
 * Runs inside a page: pass it to `frame.evaluate` or call it from a string.
 * `live` says whether relative URLs are resolved against each document's
 * own base (live) or against `baseUrl` (replay, where the recorder sent
 * them absolute already). Returns `{ lines, styles }`.
 */
export function serializeDeep({ baseUrl, live }) {
  const STYLE_PROPERTIES = [
    "display",
    "visibility",
    "color",
    "background-color",
    "font-size",
    "font-weight",
    "width",
    "height",
    "position",
    "margin",
    "padding",
    "border-width",
  ];
  const FORM_CONTROLS = new Set(["input", "textarea", "select", "option"]);
  const FORM_STATE_ATTRIBUTES = new Set(["value", "checked", "selected"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action"]);
  const NOT_RENDERED = new Set([
    "head",
    "meta",
    "title",
    "link",
    "style",
    "script",
    "noscript",
    "template",
  ]);
  const lines = [];
  const styles = {};
  let sampled = 0;

  function resolve(value, node) {
    const base = live ? node.baseURI : baseUrl;
    try {
      return new URL(value, base).href;
    } catch {
      return value;
    }
  }

  function attributeLines(element, tag) {
    const pairs = [];
    for (const { name, value } of Array.from(element.attributes)) {
      if (name.startsWith("rr_") || name === "_cssText") continue;
      if ((tag === "input" || tag === "textarea") && name === "autocomplete")
        continue;
      if (FORM_CONTROLS.has(tag) && FORM_STATE_ATTRIBUTES.has(name)) continue;
      if (tag === "iframe" && (name === "src" || name === "srcdoc")) continue;
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
        kept = resolve(value, element);
      }
      pairs.push(`${name}=${JSON.stringify(kept)}`);
    }
    return [...new Set(pairs)].sort();
  }

  function selectorWithoutHoverCopies(selectorText) {
    return selectorText
      .split(",")
      .map((part) => part.trim())
      .filter((part) => !part.includes(".\\:hover"))
      .join(", ");
  }

  function ruleLines(rules, indent) {
    for (const rule of Array.from(rules)) {
      if (rule.type === CSSRule.IMPORT_RULE) {
        let imported = null;
        try {
          imported = rule.styleSheet ? rule.styleSheet.cssRules : null;
        } catch {
          imported = null;
        }
        if (imported) ruleLines(imported, indent);
        else lines.push(`${indent}${rule.cssText}`);
      } else if (rule.type === CSSRule.STYLE_RULE && !rule.cssRules?.length) {
        lines.push(
          `${indent}${selectorWithoutHoverCopies(rule.selectorText)} { ${rule.style.cssText} }`,
        );
      } else if (rule.cssRules) {
        const head = rule.cssText.slice(0, rule.cssText.indexOf("{")).trim();
        const label =
          rule.type === CSSRule.STYLE_RULE
            ? selectorWithoutHoverCopies(rule.selectorText)
            : head;
        lines.push(`${indent}${label} {`);
        if (rule.style && rule.style.cssText)
          lines.push(`${indent}  ${rule.style.cssText}`);
        ruleLines(rule.cssRules, indent + "  ");
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${rule.cssText}`);
      }
    }
  }

  function sheetLines(sheet, indent) {
    let rules;
    try {
      rules = sheet.cssRules;
    } catch {
      lines.push(`${indent}[unreadable]`);
      return;
    }
    ruleLines(rules, indent);
  }

  function adoptedLines(root, indent) {
    const adopted = root.adoptedStyleSheets || [];
    adopted.forEach((sheet, index) => {
      lines.push(`${indent}@adopted ${index}`);
      sheetLines(sheet, indent + "  ");
    });
  }

  function listedChildren(node) {
    const isHtml = node.nodeName.toLowerCase() === "html";
    return Array.from(node.childNodes).filter(
      (child) =>
        !(
          isHtml &&
          child.nodeType === Node.ELEMENT_NODE &&
          child.localName === "style"
        ),
    );
  }

  function sampleStyle(element, tag, key) {
    if (NOT_RENDERED.has(tag)) return;
    if (element.closest && element.closest("head")) return;
    sampled += 1;
    if (!element.id && sampled % 10 !== 1) return;
    const computed =
      element.ownerDocument.defaultView.getComputedStyle(element);
    styles[key] = {
      element: element.id ? `${tag}#${element.id}` : tag,
      values: Object.fromEntries(
        STYLE_PROPERTIES.map((name) => [name, computed.getPropertyValue(name)]),
      ),
    };
  }

  function stateLines(node, tag, indent) {
    if (tag === "input" || tag === "textarea" || tag === "select") {
      lines.push(`${indent}@value=${JSON.stringify(node.value)}`);
    }
    if (
      tag === "input" &&
      (node.type === "checkbox" || node.type === "radio")
    ) {
      lines.push(`${indent}@checked=${node.checked}`);
    }
    if (tag === "option") lines.push(`${indent}@selected=${node.selected}`);
    if (tag === "audio" || tag === "video") {
      lines.push(
        `${indent}@media=${node.paused ? "paused" : "playing"} time=${node.currentTime.toFixed(1)} volume=${node.volume} rate=${node.playbackRate} muted=${node.muted}`,
      );
    }
    if (tag === "dialog" && node.open) {
      lines.push(
        `${indent}@open=${node.matches(":modal") ? "modal" : "non-modal"}`,
      );
    }
    if (node.scrollTop || node.scrollLeft) {
      lines.push(
        `${indent}@scroll=${Math.round(node.scrollLeft)},${Math.round(node.scrollTop)}`,
      );
    }
  }

  function visitDocument(doc, depth, key) {
    const indent = "  ".repeat(depth);
    lines.push(
      indent +
        (doc.doctype ? `<!doctype ${doc.doctype.name}>` : "<no doctype>"),
    );
    if (doc.documentElement) visit(doc.documentElement, depth, `${key}/0`);
    adoptedLines(doc, indent);
  }

  function visit(node, depth, key) {
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
    const isStylesheet =
      tag === "style" ||
      (tag === "link" && /(^|\s)stylesheet(\s|$)/i.test(node.rel));
    if (isStylesheet) {
      if (!node.sheet) {
        lines.push(`${indent}<stylesheet unloaded>`);
        return;
      }
      lines.push(`${indent}<stylesheet>`);
      sheetLines(node.sheet, indent + "  ");
      return;
    }

    const attributes = attributeLines(node, tag);
    if (tag === "script" || tag === "noscript") {
      lines.push(`${indent}<${["script", ...attributes].join(" ")}>`);
      return;
    }
    lines.push(`${indent}<${[tag, ...attributes].join(" ")}>`);
    sampleStyle(node, tag, key);
    stateLines(node, tag, indent + "  ");
    if (tag === "textarea") return;

    if (tag === "iframe") {
      if (node.hasAttribute("data-fidelity-cross-origin")) {
        const readable = live && node.contentDocument !== null;
        lines.push(
          `${indent}  @frame=${readable ? "readable, not cross-origin" : "cross-origin"}`,
        );
        return;
      }
      if (!node.contentDocument) {
        lines.push(`${indent}  #document [unreadable]`);
        return;
      }
      lines.push(`${indent}  #document`);
      visitDocument(node.contentDocument, depth + 2, `${key}/#doc`);
      return;
    }

    if (node.shadowRoot) {
      lines.push(`${indent}  #shadow-root`);
      Array.from(node.shadowRoot.childNodes).forEach((child, index) =>
        visit(child, depth + 2, `${key}/#shadow/${index}`),
      );
      adoptedLines(node.shadowRoot, indent + "    ");
    }
    listedChildren(node).forEach((child, index) =>
      visit(child, depth + 1, `${key}/${index}`),
    );
  }

  visitDocument(document, 0, "");

  // Where the selection is, by listed tree position, and the text of its
  // range (a Range's text, unlike the Selection's, includes inert nodes).
  function positionOf(node) {
    const path = [];
    for (let current = node; current.parentNode; current = current.parentNode) {
      path.unshift(listedChildren(current.parentNode).indexOf(current));
    }
    return path.join("/");
  }
  const selection = document.getSelection();
  if (selection && selection.rangeCount > 0 && !selection.isCollapsed) {
    const range = selection.getRangeAt(0);
    lines.push(
      `@selection=${positionOf(range.startContainer)}:${range.startOffset}-${positionOf(range.endContainer)}:${range.endOffset} ${JSON.stringify(range.toString())}`,
    );
  }
  return { lines, styles };
}
