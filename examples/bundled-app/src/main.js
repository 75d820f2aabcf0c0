// A small app that records itself with the tapedeck npm package: a counter,
// a list you can add to and a greeting that follows what is typed.

import { addEvent, flush, init } from "tapedeck";

const status = document.getElementById("status");

init({
  endpoint: location.origin,
  applicationId: "bundled-demo",
  privacy:
    new URLSearchParams(location.search).get("privacy") || "mask-user-input",
}).then((result) => {
  status.textContent = `Recording status: ${result.status}`;
  window.tapedeckStatus = result;
});

let count = 0;
const countOutput = document.getElementById("count");
document.getElementById("increment").addEventListener("click", () => {
  count += 1;
  countOutput.textContent = String(count);
});

const items = document.getElementById("items");
const itemInput = document.getElementById("item-input");
document.getElementById("item-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = itemInput.value.trim();
  if (!text) return;
  const item = document.createElement("li");
  item.textContent = text;
  items.appendChild(item);
  addEvent("item-added", { position: items.children.length });
  itemInput.value = "";
});

const greeting = document.getElementById("greeting");
document.getElementById("greet-name").addEventListener("input", (event) => {
  const name = event.target.value.trim();
  greeting.textContent = name ? `Hello, ${name}!` : "Hello!";
});

// Marks the moment in the recording and sends what is waiting at once,
// instead of when the current segment fills up.
document.getElementById("send-now").addEventListener("click", () => {
  addEvent("send-now", { items: items.children.length, count });
  flush();
});
