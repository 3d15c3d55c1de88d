// Drives the real pages in Debian's headless Chromium: log in, check that the home page
// renders Chinese text with real figures, and that the large-type switch works and is
// remembered. A screenshot is saved when a step fails.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.env.BASE_URL;
const login = process.env.LOGIN;
const password = process.env.PASSWORD;
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 375, height: 800 }, locale: "zh-CN" });
const cspErrors = [];
page.on("console", (m) => { if (m.type() === "error") cspErrors.push(m.text()); });
let passed = 0;
let failed = 0;

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    const file = `${shots}${name.replace(/[^a-z0-9]+/gi, "_")}.png`;
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.log(`not ok - ${name}: ${e.message} (screenshot ${file})`);
  }
}
function check(cond, msg) { if (!cond) throw new Error(msg); }
const px = (s) => parseFloat(s);

await step("login page renders in Chinese", async () => {
  await page.goto(`${base}/login`);
  check((await page.locator("h1").innerText()).includes("登录"), "login heading");
});

await step("log in with user name and password", async () => {
  await page.fill("#login", login);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit].primary")]);
});

await step("home page shows Chinese text and real figures", async () => {
  const h1 = await page.locator("#welcome").innerText();
  check(h1.startsWith("您好"), `welcome heading: ${h1}`);
  const figure = await page.locator(".figure .value").first().innerText();
  check(parseInt(figure, 10) > 0, `units in scope: ${figure}`);
  // The CJK font really renders: two ideographs are wider than one.
  const widths = await page.evaluate(() => {
    const span = document.createElement("span");
    document.body.appendChild(span);
    span.textContent = "银"; const one = span.getBoundingClientRect().width;
    span.textContent = "银耀"; const two = span.getBoundingClientRect().width;
    span.remove();
    return [one, two];
  });
  check(widths[0] > 10 && widths[1] > widths[0] * 1.8, `glyph widths ${widths}`);
});

await step("body text is at least 18 px with line height 1.5", async () => {
  const s = await page.evaluate(() => { const c = getComputedStyle(document.querySelector("main p")); return [c.fontSize, c.lineHeight]; });
  check(px(s[0]) >= 18, `font size ${s[0]}`);
  check(px(s[1]) / px(s[0]) >= 1.5, `line height ${s[1]}`);
});

await step("large-type switch enlarges text and targets", async () => {
  await Promise.all([page.waitForLoadState("load"), page.click("#large-switch")]);
  await page.waitForSelector("html.large");
  const size = await page.evaluate(() => getComputedStyle(document.querySelector("main p")).fontSize);
  check(px(size) >= 22, `large font size ${size}`);
  const box = await page.locator("#large-switch").boundingBox();
  check(box.height >= 60, `switch height ${box.height}`);
  check((await page.locator("#large-switch").innerText()).includes("标准字号"), "switch offers the way back");
});

await step("large type is remembered after logging in again", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: "zh-CN" });
  const p2 = await context.newPage();
  await p2.goto(`${base}/login`);
  await p2.fill("#login", login);
  await p2.fill("#password", password);
  await Promise.all([p2.waitForURL(`${base}/`), p2.click("button[type=submit].primary")]);
  check(await p2.evaluate(() => document.documentElement.classList.contains("large")), "large type on the account");
  await context.close();
});

await step("idle warning appears 2 minutes before timeout and keeps the session", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: "zh-CN" });
  const p3 = await context.newPage();
  await p3.clock.install();
  await p3.goto(`${base}/login`);
  await p3.fill("#login", login);
  await p3.fill("#password", password);
  await Promise.all([p3.waitForURL(`${base}/`), p3.click("button[type=submit].primary")]);
  check(await p3.locator("#idle-warning").isHidden(), "no warning at first");
  await p3.clock.fastForward("27:00");
  check(await p3.locator("#idle-warning").isHidden(), "no warning after 27 minutes");
  await p3.clock.fastForward("01:30");
  await p3.locator("#idle-warning").waitFor({ state: "visible" });
  const box = await p3.locator("#idle-warning button").boundingBox();
  check(box.height >= 48 && box.width >= 200, `keep-working button ${box.width}x${box.height}`);
  const [resp] = await Promise.all([
    p3.waitForResponse((r) => r.url().endsWith("/session/keepalive")),
    p3.click("#idle-warning button"),
  ]);
  check(resp.status() === 204, `keepalive answered ${resp.status()}`);
  await p3.locator("#idle-warning").waitFor({ state: "hidden" });
  check(p3.url() === `${base}/`, "still on the page");
  await context.close();
});

await step("no CSP violations or script errors", async () => {
  check(cspErrors.length === 0, cspErrors.join(" | "));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
