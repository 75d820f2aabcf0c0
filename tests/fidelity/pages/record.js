// Starts recording the fixture page with nothing masked, so the replay can
// be compared with the live page character for character.
window.Tapedeck.init({
  endpoint: location.origin,
  applicationId: "fidelity",
  privacy: "allow",
}).then(function (result) {
  window.tapedeckStatus = result;
});
