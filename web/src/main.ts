// Entry point of the browser app (one bundle for the staff pane and the patient view).
import { App } from "./app.js";

const mount = document.getElementById("root");
if (mount) new App(mount).start();
