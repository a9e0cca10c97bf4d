// Shows where the API lives, from the config.json written at deployment.
fetch("/config.json")
  .then((response) => response.json())
  .then((config) => {
    document.getElementById("api-url").textContent = config.apiUrl;
    document.getElementById("stage").textContent = config.stage;
  })
  .catch(() => {
    document.getElementById("api-url").textContent = "unavailable";
  });
