// Screenshots of journeys for the docs and for review: each page at 375 px (phone) and 1280 px
// (desk), in standard and large type, in Chinese and English, as the demo user who uses it.
// Usage: BASE_URL=… PASSWORD=… OUT=dir node shots.mjs [name …] (names as in JOURNEYS below;
// all when none). Start the demo server with `source demo_server.sh; start_demo_server`.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.env.BASE_URL;
const password = process.env.PASSWORD;
const out = process.env.OUT || new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

// name → [user, path or function(page) that returns after navigating]
const JOURNEYS = {
  tasks: ["staff10", "/tasks"],
  sheet: ["staff10", "/tasks/sheet"],
  file: ["staff10", async (p) => {
    await p.goto(`${base}/tasks`);
    const href = await p.locator("ol.tasks a[href^='/people/']").first().getAttribute("href");
    await p.goto(`${base}${href}`);
  }],
  notices: ["staff10", "/notices"],
  rounds: ["staff10", "/rounds"],
  round: ["staff10", async (p) => {
    await p.goto(`${base}/rounds`);
    const href = await p.locator("#rounds a").first().getAttribute("href");
    await p.goto(`${base}${href}`);
  }],
  "round-person": ["staff10", async (p) => {
    await p.goto(`${base}/rounds`);
    const href = await p.locator("#rounds a").first().getAttribute("href");
    await p.goto(`${base}${href}`);
    const person = await p.locator("#round-people li a").first().getAttribute("href");
    await p.goto(`${base}${person}`);
  }],
  prefs: ["staff10", "/inbox/settings"],
  inbox: ["reviewer06", "/inbox"],
  import: ["staff10", async (p) => {
    await p.goto(`${base}/people/import`);
    const options = await p.locator("#unit_id option").evaluateAll((os) => os.map((o) => o.value));
    await p.selectOption("#unit_id", options[options.length - 1]);
    const csv = "姓名,性别,居住情况,人员类别\n王桂英,女性,与子女同住,离退休\n赵德胜,男,独居,党员\n李秀兰,女,空巢老人,退休\n";
    await p.setInputFiles("#file", { name: "名册.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await Promise.all([p.waitForNavigation(), p.click("form[action^='/people/import'] button[type=submit]")]);
    await p.locator("#destination").scrollIntoViewIfNeeded();
  }],
  unit: ["unitadmin02", "/units"],
  deactivate: ["unitadmin02", async (p) => {
    await p.goto(`${base}/units`);
    const href = await p.locator("main .tree a[href^='/units/']").nth(1).getAttribute("href");
    await p.goto(`${base}${href}/deactivate`);
  }],
  home: ["staff10", "/"],
  article: [null, async (p) => {
    await p.goto(`${base}/read`);
    const href = await p.locator("#latest a[href^='/read/']").first().getAttribute("href");
    await p.goto(`${base}${href}`);
  }],
  read: [null, "/read"],
  events: ["member16", "/events"],
  event: ["member16", async (p) => {
    await p.goto(`${base}/events`);
    const href = await p.locator("#events a:has-text('联欢会')").first().getAttribute("href");
    await p.goto(`${base}${href}`);
  }],
  "event-mine": ["member16", async (p) => {
    await p.goto(`${base}/events`);
    const href = await p.locator("#events a:has-text('培训班')").first().getAttribute("href");
    await p.goto(`${base}${href}`);
    if (await p.locator("#register").count()) await Promise.all([p.waitForNavigation(), p.click("#register")]);
  }],
  checkin: ["staff03", async (p) => {
    await p.goto(`${base}/events`);
    const href = await p.locator("#events a:has-text('培训班')").first().getAttribute("href");
    await p.goto(`${base}${href}/checkin`);
  }],
  term: ["member16", async (p) => {
    await p.goto(`${base}/university`);
    const href = await p.locator("#terms a:has-text('春季学期')").first().getAttribute("href");
    await p.goto(`${base}${href}`);
  }],
  timetable: ["member16", async (p) => {
    await p.goto(`${base}/university`);
    const term = await p.locator("#terms a:has-text('春季学期')").first().getAttribute("href");
    await p.goto(`${base}${term}`);
    const hrefs = [];
    for (const subject of ["太极拳", "国画"]) {
      hrefs.push(await p.locator(`#catalogue a:has-text('${subject}')`).first().getAttribute("href"));
    }
    for (const href of hrefs) {
      await p.goto(`${base}${href}`);
      if (await p.locator("#enrol").count()) await Promise.all([p.waitForNavigation(), p.click("#enrol")]);
    }
    await p.goto(`${base}/university/timetable`);
  }],
  videos: ["member16", "/videos"],
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
});

async function logIn(page, user) {
  await page.goto(`${base}/login`);
  await page.fill("#login", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit].primary")]);
}

// Large type and language are preferences of the session (and the account): set them by the
// switches in the header, as a user would.
async function prefs(page, large, english) {
  const isLarge = await page.evaluate(() => document.documentElement.classList.contains("large"));
  if (isLarge !== large) await Promise.all([page.waitForNavigation(), page.click("#large-switch")]);
  const isEn = await page.evaluate(() => document.documentElement.lang === "en");
  if (isEn !== english) await Promise.all([page.waitForNavigation(), page.click("#lang-switch")]);
}

const wanted = process.argv.slice(2);
for (const [name, [user, target]] of Object.entries(JOURNEYS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  for (const [w, h] of (process.env.PHONE_ONLY === "1" ? [[375, 812]] : [[375, 812], [1280, 900]])) {
    for (const [large, english] of [[false, false], [true, false], [false, true]]) {
      const context = await browser.newContext({ viewport: { width: w, height: h } });
      const page = await context.newPage();
      if (user) await logIn(page, user);
      else await page.goto(`${base}/read`);
      await prefs(page, large, english);
      if (typeof target === "string") await page.goto(`${base}${target}`);
      else await target(page);
      const file = `${out}/${name}-${w}${large ? "-large" : ""}${english ? "-en" : ""}.png`;
      await page.screenshot({ path: file, fullPage: process.env.FULL === "1" });
      console.log(file);
      // Back to the defaults, so the account's stored preferences do not leak into the next.
      await prefs(page, false, false);
      await context.close();
    }
  }
}
await browser.close();
