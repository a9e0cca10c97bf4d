// DOT on stdin -> SVG on stdout, by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz).
// argv[2]: JSON list of {path, width, height}: the images the labels name, which Graphviz
// cannot open from here, so it is told their sizes (tools/diagram_icons.py embeds them after).
import { readFileSync } from "node:fs";
import { Graphviz } from "@hpcc-js/wasm-graphviz";

const graphviz = await Graphviz.load();
const images = JSON.parse(process.argv[2] ?? "[]");
process.stdout.write(graphviz.layout(readFileSync(0, "utf8"), "svg", "dot", { images }));
