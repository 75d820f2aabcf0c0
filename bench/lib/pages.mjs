// The pages the recorders are measured on, generated in memory:
//
// - `static-<n>`: about n elements of nested content (sections, headings,
//   paragraphs with links, lists, forms, tables), with attributes, text, an
//   inline `<style>` and a linked stylesheet;
// - `mutations`: rows that a script adds, removes, moves and edits on
//   every animation frame when asked to (`window.__benchMutate(frames)`);
// - `interactive`: a small app with inputs, buttons, a long scrolling list
//   and a ticker that changes the DOM a few times a second once started
//   (`window.__benchStartTicker()`).

import { seededRandom, randomInt, pick } from "./random.mjs";

const WORDS = (
  "replay session record snapshot mutation cursor scroll input privacy " +
  "segment worker browser element attribute stylesheet render frame " +
  "checkout basket account search filter result detail summary order"
).split(" ");

const PALETTE = ["#1f6feb", "#d73a49", "#28a745", "#6f42c1", "#e36209"];

/** Every generated page, keyed by its URL path. */
export function generatePages(sizes) {
  const pages = new Map();
  pages.set("/pages/bench.css", linkedStylesheet());
  for (const size of sizes) {
    pages.set(`/pages/static-${size}.html`, staticPage(size));
  }
  pages.set("/pages/mutations.html", mutationsPage());
  pages.set("/pages/interactive.html", interactivePage());
  return pages;
}

function sentence(random, words) {
  const chosen = [];
  for (let index = 0; index < words; index++) chosen.push(pick(random, WORDS));
  const text = chosen.join(" ");
  return text[0].toUpperCase() + text.slice(1) + ".";
}

function linkedStylesheet() {
  const rules = [];
  for (let index = 0; index < 200; index++) {
    const color = PALETTE[index % PALETTE.length];
    rules.push(
      `.card.c${index % 7} .t${index} { color: ${color}; ` +
        `margin: ${index % 9}px ${index % 5}px; padding: 2px 4px; }`,
    );
  }
  rules.push("body { font: 14px/1.4 sans-serif; margin: 0; }");
  rules.push(".group { display: grid; grid-template-columns: 1fr 1fr; }");
  return rules.join("\n");
}

function inlineStyle() {
  const rules = [];
  for (let index = 0; index < 100; index++) {
    rules.push(
      `.card[data-index="${index}"] h2 { border-left: 3px solid ` +
        `${PALETTE[index % PALETTE.length]}; }`,
    );
  }
  rules.push(".card { border: 1px solid #ddd; border-radius: 4px; }");
  rules.push(".tags li { display: inline-block; margin-right: 6px; }");
  return rules.join("\n");
}

/**
 * One card: a nested block of 18 elements (section, heading, paragraph
 * with a link and emphasis, a list, a field with its label and button, a
 * table whose `tbody` the parser adds). The field is not in a `<form>`:
 * thousands of forms with inputs take Chromium minutes to load, which
 * would measure the browser rather than the recorders.
 */
function card(random, index) {
  const tags = [0, 1, 2]
    .map(
      (tag) =>
        `<li class="tag t${(index + tag) % 200}">${pick(random, WORDS)}</li>`,
    )
    .join("");
  const style = index % 5 === 0 ? ` style="opacity: 0.9; padding: 4px"` : "";
  return (
    `<section class="card c${index % 7}" id="card-${index}" ` +
    `data-index="${index}"${style}>` +
    `<h2 class="title t${index % 200}">${sentence(random, 3)}</h2>` +
    `<p class="desc">${sentence(random, 8)} ` +
    `<a href="/item/${index}?ref=list" title="Open item ${index}">` +
    `${pick(random, WORDS)}</a> ${sentence(random, 5)} ` +
    `<em>${pick(random, WORDS)}</em></p>` +
    `<ul class="tags">${tags}</ul>` +
    `<div class="buy" role="form">` +
    `<label for="qty-${index}">Quantity</label>` +
    `<input id="qty-${index}" name="qty" type="number" value="${1 + (index % 4)}">` +
    `<button type="button" data-action="buy">Add</button></div>` +
    `<table class="specs"><tr><td>${randomInt(random, 1000)}</td>` +
    `<td>${pick(random, WORDS)}</td></tr></table>` +
    `</section>`
  );
}

const ELEMENTS_PER_CARD = 18;
const CARDS_PER_GROUP = 10;

/** A page with about `size` elements (the count is reported when measured). */
function staticPage(size) {
  const random = seededRandom(size);
  const cards = Math.max(
    1,
    Math.floor((size - 20) / (ELEMENTS_PER_CARD + 1 / CARDS_PER_GROUP)),
  );
  const groups = [];
  for (let first = 0; first < cards; first += CARDS_PER_GROUP) {
    const inGroup = [];
    for (
      let index = first;
      index < Math.min(cards, first + CARDS_PER_GROUP);
      index++
    ) {
      inGroup.push(card(random, index));
    }
    groups.push(
      `<div class="group" data-group="${first / CARDS_PER_GROUP}">${inGroup.join("")}</div>`,
    );
  }
  return document(
    `Static page, ${size} elements`,
    `<header><nav><a href="/">Home</a> <a href="/about">About</a></nav>` +
      `<h1>Catalogue</h1></header><main>${groups.join("")}</main>` +
      `<footer><p>${sentence(random, 10)}</p></footer>`,
    "",
  );
}

function mutationsPage() {
  const rows = [];
  for (let index = 0; index < 500; index++) {
    rows.push(
      `<div class="row" data-id="${index}"><span class="id">${index}</span>` +
        `<span class="name">row ${index}</span><span class="value">0</span>` +
        `<button type="button">edit</button></div>`,
    );
  }
  return document(
    "Mutations",
    `<main id="rows">${rows.join("")}</main>`,
    MUTATION_SCRIPT,
  );
}

// Runs in the page. Each frame adds, removes, moves and edits rows, the
// way a busy list or dashboard does; the random sequence is fixed.
const MUTATION_SCRIPT = `
window.__benchMutate = function (frames) {
  var state = 12345;
  function random() {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  }
  var list = document.getElementById("rows");
  var nextId = 100000;
  function makeRow() {
    var row = document.createElement("div");
    row.className = "row added";
    row.setAttribute("data-id", String(nextId));
    row.innerHTML = '<span class="id">' + nextId + '</span><span class="name">new ' +
      nextId + '</span><span class="value">0</span><button type="button">edit</button>';
    nextId++;
    return row;
  }
  function anyRow() {
    return list.children[Math.floor(random() * list.children.length)];
  }
  return new Promise(function (resolve) {
    var frame = 0;
    function step() {
      for (var index = 0; index < 5; index++) list.insertBefore(makeRow(), anyRow());
      for (var index = 0; index < 5; index++) anyRow().remove();
      for (var index = 0; index < 5; index++) list.insertBefore(anyRow(), anyRow());
      for (var index = 0; index < 10; index++) {
        var row = anyRow();
        row.children[2].textContent = String(Math.floor(random() * 1000));
        row.setAttribute("class", random() < 0.5 ? "row hot" : "row");
        row.style.backgroundColor = random() < 0.5 ? "#fee" : "";
      }
      frame++;
      if (frame < frames) requestAnimationFrame(step);
      else resolve(frame);
    }
    requestAnimationFrame(step);
  });
};
`;

function interactivePage() {
  const items = [];
  for (let index = 0; index < 300; index++) {
    items.push(
      `<li class="item" data-index="${index}"><button type="button" class="pick">` +
        `Item ${index}</button> <span class="note">${WORDS[index % WORDS.length]}</span></li>`,
    );
  }
  const body =
    `<header><h1>Orders</h1><nav><button id="tab-a" type="button">All</button>` +
    `<button id="tab-b" type="button">Open</button></nav>` +
    `<p id="ticker" aria-live="polite">0 updates</p><div id="toasts"></div></header>` +
    `<form id="search"><input id="query" name="query" type="text" placeholder="Search">` +
    `<textarea id="comment" name="comment" rows="3"></textarea>` +
    `<select id="status" name="status"><option>open</option><option>closed</option></select>` +
    `<button id="submit" type="button">Save</button></form>` +
    `<ul id="items">${items.join("")}</ul>`;
  return document("Interactive scenario", body, TICKER_SCRIPT);
}

// Runs in the page: the ticker updates text and adds or removes a toast a
// few times a second, like a live dashboard; clicks on items mark them.
const TICKER_SCRIPT = `
window.__benchStartTicker = function (perSecond) {
  var count = 0;
  var ticker = document.getElementById("ticker");
  var toasts = document.getElementById("toasts");
  document.getElementById("items").addEventListener("click", function (event) {
    var item = event.target.closest(".item");
    if (item) item.classList.toggle("picked");
  });
  return setInterval(function () {
    count++;
    ticker.textContent = count + " updates";
    if (count % 3 === 0) {
      var toast = document.createElement("div");
      toast.className = "toast";
      toast.textContent = "Order " + count + " saved";
      toasts.appendChild(toast);
      if (toasts.children.length > 3) toasts.firstElementChild.remove();
    }
  }, Math.round(1000 / perSecond));
};
`;

function document(title, body, script) {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<title>${title}</title><link rel="stylesheet" href="/pages/bench.css">` +
    `<style>${inlineStyle()}</style></head><body>${body}` +
    (script ? `<script>${script}</script>` : "") +
    `</body></html>`
  );
}
