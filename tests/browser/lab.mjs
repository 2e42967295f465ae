// Opens a notebook in JupyterLab (already running), runs all cells, waits for
// them to finish, and reports what a student would see: errors, images,
// and a screenshot.
//
// usage: node lab.mjs <lab url with token> <notebook path in lab> <screenshot.png>
// prints one JSON line: {cells, executed, errors, stderr, svgImages, visibleSvgImages}
import { chromium } from "playwright-core";

const [url, notebook, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 15 * 60 * 1000;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // The closed network stalls Chromium's background services without these.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
  page.setDefaultTimeout(TIMEOUT);
  const base = new URL(url);
  const token = base.searchParams.get("token");
  await page.goto(`${base.origin}/lab/tree/${notebook}?token=${token}`);
  await page.waitForSelector(".jp-Notebook .jp-Cell");
  // Wait for the kernel to be ready, then run everything.
  await page.waitForFunction(() => window.jupyterapp && window.jupyterapp.shell.currentWidget);
  await page.waitForFunction(
    () => {
      const w = window.jupyterapp.shell.currentWidget;
      return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    },
  );
  await page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells"));
  // Done when every code cell has a number in its prompt and the kernel is idle.
  await page.waitForFunction(
    () => {
      const prompts = [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")];
      const w = window.jupyterapp.shell.currentWidget;
      const idle = w.sessionContext.session.kernel.status === "idle";
      return idle && prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p.textContent));
    },
    null,
    { polling: 1000 },
  );
  // Let images decode.
  await page.waitForTimeout(1000);
  const report = await page.evaluate(() => {
    const cells = document.querySelectorAll(".jp-CodeCell");
    const executed = [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")].filter((p) =>
      /\[\d+\]/.test(p.textContent),
    ).length;
    const errors = document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').length;
    const stderr = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(
      (e) => e.textContent,
    );
    const svgs = [...document.querySelectorAll(".jp-RenderedSVG img, .jp-RenderedSVG svg, .jp-RenderedImage img")];
    const visible = svgs.filter((img) => {
      const r = img.getBoundingClientRect();
      const decoded = img.tagName !== "IMG" || (img.complete && img.naturalWidth > 0);
      return decoded && r.width > 100 && r.height > 100 && getComputedStyle(img).visibility !== "hidden";
    }).length;
    return { cells: cells.length, executed, errors, stderr, svgImages: svgs.length, visibleSvgImages: visible };
  });
  // A screenshot with the first plot in view, as a student would see it.
  const first = page.locator(".jp-RenderedSVG").first();
  if ((await first.count()) > 0) {
    await first.scrollIntoViewIfNeeded();
    await page.evaluate(() => {
      const el = document.querySelector(".jp-RenderedSVG");
      el.closest(".jp-Cell").scrollIntoView({ block: "start" });
      el.closest(".jp-WindowedPanel-outer, .jp-Notebook").scrollBy(0, -700);
    });
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshot });
  console.log(JSON.stringify(report));
} finally {
  await browser.close();
}
