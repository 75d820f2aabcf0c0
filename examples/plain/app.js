// The demo page's own behaviour: a to-do list, a feed, a modal.
(function () {
  "use strict";

  var feed = document.getElementById("feed-box");
  for (var i = 1; i <= 40; i++) {
    var item = document.createElement("p");
    item.textContent = "Feed item " + i;
    feed.appendChild(item);
  }

  document
    .getElementById("todo-form")
    .addEventListener("submit", function (event) {
      event.preventDefault();
      var input = document.getElementById("todo-input");
      if (!input.value.trim()) return;
      var li = document.createElement("li");
      li.textContent = input.value.trim();
      li.addEventListener("click", function () {
        li.classList.toggle("done");
      });
      document.getElementById("todo-list").appendChild(li);
      input.value = "";
    });

  document
    .getElementById("signup-form")
    .addEventListener("submit", function (event) {
      event.preventDefault();
      var note = document.createElement("p");
      note.id = "signup-done";
      note.textContent = "Thanks, your account is being created.";
      event.target.appendChild(note);
    });

  var modal = document.getElementById("modal");
  document.getElementById("open-modal").addEventListener("click", function () {
    modal.hidden = false;
  });
  document.getElementById("close-modal").addEventListener("click", function () {
    modal.hidden = true;
  });
})();
