// Drives examples/plain/index.html through everything a visitor can do on
// it. Typed strings carry markers so tests can search the stored bytes.

import { setTimeout as sleep } from "node:timers/promises";

/** The example page at `privacy` (omitted: the page's default). */
export function plainPageUrl(intakeUrl, privacy) {
  const query = privacy ? `?privacy=${privacy}` : "";
  return `${intakeUrl}/examples/plain/index.html${query}`;
}

/** What `interactWithPlainPage` types, each unique enough to search for. */
export const TYPED = {
  name: "Ada marker-name-q7",
  notes: "Notes marker-notes-k3",
  todos: ["Water plants marker-todo-a1", "Call Bob marker-todo-b2"],
};

/** The page's CSRF meta tag, which the recorder leaves out by design. */
export const SECRET_META = 'meta[name="csrf-token"]';

/** Ids of the page's elements that are masked or hidden by design. */
export const PRIVATE_ELEMENT_IDS = ["masked-text", "hidden-box"];

/** Longer than the recorder's wait for a resize to settle (200 ms). */
const RESIZE_SETTLE_WAIT_MS = 500;

/** The viewport the page is resized to midway. */
export const RESIZED_VIEWPORT = { width: 900, height: 600 };

/**
 * Types in the text field and the textarea, picks a plan, ticks the terms,
 * picks yearly billing, adds two to-dos and toggles one, opens and closes
 * the modal, moves the mouse, resizes the viewport, and scrolls the feed
 * box and the page.
 */
export async function interactWithPlainPage(page) {
  await page.locator("#name").pressSequentially(TYPED.name);
  await page.locator("#notes").pressSequentially(TYPED.notes);
  await page.selectOption("#plan", "team");
  await page.check("#terms");
  await page.check('input[name="billing"][value="yearly"]');

  for (const todo of TYPED.todos) {
    await page.locator("#todo-input").pressSequentially(todo);
    await page.click("#todo-add");
  }
  await page.locator("#todo-list li", { hasText: TYPED.todos[0] }).click();

  await page.click("#open-modal");
  await page.click("#close-modal");

  await page.mouse.move(40, 40);
  await page.mouse.move(300, 220, { steps: 8 });
  // Mouse moves are sampled; a pause between bursts keeps both.
  await sleep(120);
  await page.mouse.move(500, 320, { steps: 8 });

  // Resizes are recorded once the size settles; scrolling waits for that so
  // the replay scrolls a viewport of the same size.
  await page.setViewportSize(RESIZED_VIEWPORT);
  await sleep(RESIZE_SETTLE_WAIT_MS);
  await page.locator("#feed-box").evaluate((box) => {
    box.scrollTop = 240;
  });
  await page.evaluate(() => window.scrollTo(0, 180));
}
