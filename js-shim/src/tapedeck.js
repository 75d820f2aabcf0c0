// Tapedeck's script-tag bundle: defines window.Tapedeck and loads the ES
// module API (and, through it, the WebAssembly) from beside this file.
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script && script.src ? script.src : document.baseURI;
  var moduleUrl = new URL("tapedeck.mjs", base).href;
  var loaded = null;
  var loading = null;

  function load() {
    if (!loading) {
      loading = import(moduleUrl).then(function (module) {
        loaded = module;
        return module;
      });
    }
    return loading;
  }

  function later(name) {
    return function () {
      var args = arguments;
      return load().then(
        function (module) {
          return module[name].apply(null, args);
        },
        function (error) {
          console.warn(
            "[tapedeck] could not load " +
              moduleUrl +
              ": " +
              (error && error.message),
          );
          return { status: "failed", reason: String(error && error.message) };
        },
      );
    };
  }

  window.Tapedeck = {
    init: later("init"),
    start: later("start"),
    stop: later("stop"),
    flush: later("flush"),
    addEvent: function (tag, payload) {
      if (loaded) loaded.addEvent(tag, payload);
      else later("addEvent")(tag, payload);
    },
    getSessionId: function () {
      return loaded ? loaded.getSessionId() : undefined;
    },
  };
})();
