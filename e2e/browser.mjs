// Drives the real pages in Debian's headless Chromium as users would, on the demo county:
// log in; the home page and large type; the idle warning; a county admin creates a town and
// an account and grants it a role, and that account logs in; town staff add a person (masked
// ID) and record a visit that closes a task; an editor writes an article, two reviewers pass
// it, the public reads it and finds it by a Traditional-character search. Then axe-core and
// our own elderly-design checks (text size, line height, target size, no fixed overlays,
// page weight) on the login page, home, person file with the visit form, article page and
// search results, at 375 px wide, in standard and large type. A screenshot is saved when a
// step fails; any failed step fails the run.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";

const base = process.env.BASE_URL;
const password = process.env.PASSWORD;
const shots = new URL("./screenshots/", import.meta.url).pathname;
const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const viewport = { width: 375, height: 800 };
const scriptErrors = [];
let current = null; // the page a failing step screenshots
let passed = 0;
let failed = 0;

// `bypassCSP` only for the audit pages, where axe-core is injected as an inline script.
async function newPage(bypassCSP = false) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", bypassCSP });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  if (!bypassCSP) {
    page.on("console", (m) => { if (m.type() === "error") scriptErrors.push(`${page.url()}: ${m.text()}`); });
    page.on("pageerror", (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
  }
  current = page;
  return page;
}

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    const file = `${shots}${name.replace(/[^a-z0-9]+/gi, "_")}.png`;
    if (current) await current.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.log(`not ok - ${name}: ${e.message} (screenshot ${file})`);
  }
}
function check(cond, msg) { if (!cond) throw new Error(msg); }
const px = (s) => parseFloat(s);

async function logIn(page, user, pass = password) {
  await page.goto(`${base}/login`);
  await page.fill("#login", user);
  await page.fill("#password", pass);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit].primary")]);
}

/// Submits the form holding `button` and waits for the page it leads to.
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}

async function selectByText(page, select, text) {
  const value = await page.$eval(select, (s, t) => [...s.options].find((o) => o.textContent.includes(t))?.value, text);
  check(value !== undefined, `${select} has no option "${text}"`);
  await page.selectOption(select, value);
}

// A valid mainland ID number (GB 11643 check digit) for someone born on `birth` (YYYYMMDD).
function idNumber(area, birth, seq) {
  const first17 = `${area}${birth}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

// Characters whose Traditional form differs, for a title nobody else has.
const pairs = [["龙", "龍"], ["凤", "鳳"], ["书", "書"], ["画", "畫"], ["门", "門"], ["车", "車"],
  ["马", "馬"], ["鸟", "鳥"], ["鱼", "魚"], ["云", "雲"], ["乐", "樂"], ["丰", "豐"]];
const pick = Array.from({ length: 5 }, () => pairs[Math.floor(Math.random() * pairs.length)]);
const uniqueS = pick.map((p) => p[0]).join("");
const uniqueT = pick.map((p) => p[1]).join("");
const stamp = Date.now().toString(36);

// ---------------------------------------------------------------- login, home, large type
const staff = await newPage();

await step("login page renders in Chinese", async () => {
  await staff.goto(`${base}/login`);
  check((await staff.locator("h1").innerText()).includes("登录"), "login heading");
});

await step("log in with user name and password", async () => {
  await logIn(staff, "staff03");
  check(staff.url() === `${base}/`, `landed on ${staff.url()}`);
});

await step("home page shows Chinese text and real figures", async () => {
  const h1 = await staff.locator("#welcome").innerText();
  check(h1.startsWith("您好"), `welcome heading: ${h1}`);
  const figure = await staff.locator(".figure .value").first().innerText();
  check(parseInt(figure, 10) > 0, `units in scope: ${figure}`);
  // The CJK font really renders: two ideographs are wider than one.
  const widths = await staff.evaluate(() => {
    const span = document.createElement("span");
    document.body.appendChild(span);
    span.textContent = "银"; const one = span.getBoundingClientRect().width;
    span.textContent = "银耀"; const two = span.getBoundingClientRect().width;
    span.remove();
    return [one, two];
  });
  check(widths[0] > 10 && widths[1] > widths[0] * 1.8, `glyph widths ${widths}`);
});

await step("large-type switch enlarges text and targets", async () => {
  await Promise.all([staff.waitForLoadState("load"), staff.click("#large-switch")]);
  await staff.waitForSelector("html.large");
  const size = await staff.evaluate(() => getComputedStyle(document.querySelector("main p")).fontSize);
  check(px(size) >= 22, `large font size ${size}`);
  const box = await staff.locator("#large-switch").boundingBox();
  check(box.height >= 60, `switch height ${box.height}`);
  check((await staff.locator("#large-switch").innerText()).includes("标准字号"), "switch offers the way back");
});

await step("large type is remembered after logging in again", async () => {
  const p2 = await newPage();
  await logIn(p2, "staff03");
  check(await p2.evaluate(() => document.documentElement.classList.contains("large")), "large type on the account");
  // Back to standard type for the checks below.
  await Promise.all([p2.waitForLoadState("load"), p2.click("#large-switch")]);
  await p2.waitForFunction(() => !document.documentElement.classList.contains("large"));
  await p2.context().close();
  current = staff;
});

await step("idle warning appears 2 minutes before timeout and keeps the session", async () => {
  const p3 = await newPage();
  await p3.clock.install();
  await logIn(p3, "staff03");
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
  await p3.context().close();
});
await staff.context().close();

// ---------------------------------------------------------------- units and accounts
const admin = await newPage();
const townName = `试点镇${stamp}`;
const newUser = `e2e${stamp}`;
let oneTimePassword = "";

let townUrl = "";
await step("county admin creates a town under the county", async () => {
  await logIn(admin, "unitadmin02");
  await admin.goto(`${base}/units`);
  await selectByText(admin, "#parent_id", "清江县委老干部局");
  await admin.fill("#name", townName);
  await admin.selectOption("#kind", "town");
  await submit(admin, "form[method=post][action='/units'] button[type=submit]");
  check((await admin.locator("#unit-name").innerText()) === townName, "the new town's page");
  townUrl = admin.url().split("?")[0];
  check((await admin.content()).includes("清江县委老干部局"), "the county is shown as its parent");
});

await step("county admin creates an account in the town and grants it the staff role", async () => {
  await admin.goto(`${base}/accounts`);
  await admin.fill("#display_name", "测试员");
  await admin.fill("#username", newUser);
  await selectByText(admin, "#unit_id", townName);
  await submit(admin, "form[method=post][action='/accounts'] button[type=submit]");
  check((await admin.locator("#new-username").innerText()) === newUser, "account created");
  oneTimePassword = (await admin.locator("#one-time-password").innerText()).trim();
  check(oneTimePassword.length >= 8, "a one-time password is shown");
  await submit(admin, "a.button.primary[href^='/accounts/']");
  await admin.selectOption("#grant-role", "staff");
  await selectByText(admin, "#grant-unit", townName);
  await submit(admin, "form[action$='/grants'] button[type=submit]");
  const grants = await admin.locator("main").innerText();
  check(grants.includes(townName) && grants.includes("工作人员"), "the grant is listed");
});

await step("the new account logs in, must change its password, and sees its town", async () => {
  const p = await newPage();
  await logIn(p, newUser, oneTimePassword);
  await p.locator("#new").waitFor();
  const chosen = `Yy-${stamp}-Silver9`;
  await p.fill("#current", oneTimePassword);
  await p.fill("#new", chosen);
  await p.fill("#confirm", chosen);
  await submit(p, "main button[type=submit].primary");
  await p.goto(`${base}/units`);
  check((await p.locator("main").innerText()).includes(townName), "the town is in the new account's scope");
  await p.context().close();
  current = admin;
});

await step("deactivating a unit asks first, names what it affects, and can be undone", async () => {
  await admin.goto(townUrl);
  check((await admin.locator("#child-kind").inputValue()) === "village", "a new unit under a town is a village by default");
  const danger = await admin.locator("#deactivate-link").evaluate((e) => getComputedStyle(e).backgroundColor);
  const normal = await admin.locator("form[action='/units'] button.primary").evaluate((e) => getComputedStyle(e).backgroundColor);
  check(danger !== normal, `the danger button looks different (${danger} vs ${normal})`);
  await submit(admin, "#deactivate-link");
  check(await admin.locator("#impact").isVisible(), "a confirmation page, not a deactivation");
  for (const id of ["#impact-units", "#impact-people", "#impact-accounts"]) {
    check(/\d/.test(await admin.locator(id).innerText()), `${id} is counted`);
  }
  await admin.check("#confirm");
  await submit(admin, "#impact button.danger");
  check((await admin.locator("#flash").innerText()).length > 0, "a message says it is done");
  check(await admin.locator("#reactivate").isVisible(), "the unit can be reactivated");
  await submit(admin, "#reactivate button[type=submit]");
  check(await admin.locator("#deactivate-link").isVisible(), "active again");
});
await admin.context().close();

// ---------------------------------------------------------------- people and visits
const town = await newPage();
const personName = `周${pick[0][0]}${pick[1][0]}`;
const id = idNumber("360102", "19480315", String(100 + Math.floor(Math.random() * 800)));
let personUrl = "";

await step("town staff add a person and see the ID number masked", async () => {
  await logIn(town, "staff10");
  await town.goto(`${base}/people/new`);
  await town.fill("#name", personName);
  await town.check("input[name=category][value=lixiu]");
  await town.fill("#id_number", id);
  await town.fill("#birth_date", "1948-03-15");
  await town.fill("#mobile", "13912345678");
  await submit(town, "main button[type=submit].primary.big");
  check((await town.locator("#person-name").innerText()) === personName, "the person's file opens");
  personUrl = town.url();
  await town.click("#sensitive > summary");
  const masked = await town.locator("#masked-id_number").innerText();
  check(masked === `${id.slice(0, 3)}${"*".repeat(11)}${id.slice(-4)}`, `masked ID ${masked}`);
  check(!(await town.content()).includes(id), "the full ID number is nowhere in the page");
});

await step("my tasks: counted, most urgent first, 50 a page, overdue marked", async () => {
  await town.goto(`${base}/tasks`);
  const total = parseInt(await town.locator("#task-count strong").first().innerText(), 10);
  check(total > 50, `town staff have many tasks (${total})`);
  const rows = town.locator("ol.tasks li.task");
  check((await rows.count()) === 50, "one page holds 50");
  const ranks = ["hospital", "round", "notice", "bereavement", "hardship", "death", "birthday", "festival", "interval"];
  const kinds = await town.locator("ol.tasks .tag.reason").evaluateAll((els) =>
    els.map((e) => [...e.classList].find((c) => c.startsWith("reason-")).slice(7)));
  const order = kinds.map((k) => ranks.indexOf(k));
  check(order.every((r, i) => i === 0 || order[i - 1] <= r), `kinds in order of urgency: ${kinds.join(",")}`);
  const overdue = town.locator("ol.tasks li.overdue");
  if ((await overdue.count()) > 0) {
    const style = await overdue.first().evaluate((e) => getComputedStyle(e).borderLeftColor);
    check(style !== "rgba(0, 0, 0, 0)", "an overdue task has a coloured bar");
    const late = overdue.first().locator(".late");
    const box = await late.boundingBox();
    const line = parseFloat(await late.evaluate((e) => getComputedStyle(e).lineHeight));
    check(box.height < line * 1.5, "the overdue mark stays on one line");
  }
  await town.click("#task-filter-box > summary");
  await town.selectOption("#task-kind", "interval");
  await submit(town, "#task-filters button[type=submit]");
  const only = await town.locator("ol.tasks .tag.reason").evaluateAll((els) => els.map((e) => e.className));
  check(only.length > 0 && only.every((c) => c.includes("reason-interval")), "the kind filter narrows the list");
  await town.click("#sheet-link");
  await town.waitForLoadState("load");
  check((await town.locator("#task-sheet tbody tr").count()) > 0, "the task sheet lists the round");
  check(!/1[3-9]\d{9}/.test(await town.locator("#task-sheet").innerText()), "no full phone number on the masked sheet");
});

await step("roster import: the chosen unit is kept after a failed check; the confirmation names it", async () => {
  await town.goto(`${base}/people/import`);
  const options = await town.locator("#unit_id option").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  check(options.length > 1, "several units to choose from");
  const [unitValue, unitName] = options[options.length - 1];
  await town.selectOption("#unit_id", unitValue);
  const bad = "姓名,性别\n钱玉兰,女士\n";
  await town.setInputFiles("#file", { name: "名册.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await submit(town, "form[action^='/people/import'] button[type=submit]");
  check((await town.locator("#problems").innerText()).includes("女士"), "the refused value is shown");
  check((await town.locator("#unit_id").inputValue()) === unitValue, "the unit stays chosen");
  const good = `姓名,性别\n钱${uniqueS},女性\n孙${uniqueS},男\n`;
  await town.setInputFiles("#file", { name: "名册.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await submit(town, "form[action^='/people/import'] button[type=submit]");
  const dest = await town.locator("#destination").innerText();
  check(dest.includes(unitName.trim()) && dest.includes(`钱${uniqueS}`), `the confirmation names the unit and the people: ${dest}`);
  await submit(town, "form[action$='/commit'] button[type=submit]");
  check((await town.locator("#imported").innerText()).includes("2"), "two imported");
});

await step("a staff member sends a notice to the town and sees its delivery figures", async () => {
  await town.goto(`${base}/notices`);
  // The first unit offered is the staff member's town.
  await town.check("#notice-members");
  await town.check("#notice-staff");
  await town.fill("#notice-title", `降温提醒${uniqueS}`);
  await town.fill("#notice-body", "明天起气温骤降，请注意保暖，出门多穿衣。");
  await submit(town, "#notice-check");
  const reach = parseInt(await town.locator("#notice-reach strong").innerText(), 10);
  check(reach > 0, `it reaches someone (${reach})`);
  check((await town.locator("#notice-title").inputValue()).startsWith("降温提醒"), "the form is kept");
  await submit(town, "#notice-send");
  check((await town.locator("#notice-title").innerText()).startsWith("降温提醒"), "the notice's page");
  check((await town.locator("#fig-recipients").innerText()) === String(reach), "sent to as many as announced");
  check((await town.locator("#fig-read").innerText()) === "0", "nobody has read it yet");
});

await step("on a phone the menu is three items and 'more'; the page starts in the first screen", async () => {
  await town.goto(`${base}/tasks`);
  const shown = await town.locator(".main-nav a:visible").count();
  check(shown <= 4, `${shown} menu items in the first view`);
  check(!(await town.locator(".main-nav a[href='/tokens']").first().isVisible()), "API tokens are out of the first view");
  const top = (await town.locator("h1").boundingBox()).y;
  check(top < 300, `the page title starts at y = ${top}`);
  await town.click("#nav-more > summary");
  check(await town.locator("#nav-more a[href='/tokens']").isVisible(), "'more' opens the rest");
  check(await town.locator("#nav-more .logout button").isVisible(), "and logging out");
});

await step("recording a visit closes the person's task and offers the next", async () => {
  await town.goto(`${base}/tasks`);
  const links = town.locator("ol.tasks a[href^='/people/']");
  check((await links.count()) > 0, "town staff have tasks");
  const href = await links.first().getAttribute("href");
  const path = href.split("?")[0];
  const before = await town.locator(`ol.tasks a[href^='${path}?']`).count();
  await town.goto(`${base}${href}`);
  check(await town.locator("#task-context").isVisible(), "the task's reason is shown above the visit form");
  await town.fill("#findings", "身体状况良好，生活能自理，已了解近期需求。");
  await submit(town, "#visit-form button[type=submit]");
  check((await town.locator("#visit-done").innerText()).length > 0, "the page says what the visit completed");
  check((await town.locator("ul.visits").innerText()).includes("身体状况良好"), "the visit is in the history");
  const next = town.locator("#next-task");
  check((await next.count()) === 1, "a next task is offered");
  await town.goto(`${base}/tasks`);
  const after = await town.locator(`ol.tasks a[href^='${path}?']`).count();
  check(after < before, `tasks for ${path}: ${before} before, ${after} after`);
});

// ---------------------------------------------------------------- contact rounds (排查)
let roundUrl = "";
await step("a round is started, three people are marked, coverage updates, the ledger exports", async () => {
  await town.goto(`${base}/rounds`);
  // The demo's county round is listed for the town's staff (their part of it).
  check((await town.locator("#rounds a").count()) > 0, "the county's round is listed");
  if (!(await town.locator("#round-form").isVisible())) await town.click("#round-form-box > summary");
  await town.selectOption("#round-reason", "flood");
  await town.fill("#round-title", `汛期排查${uniqueS}`);
  await submit(town, "#round-check");
  const reach = parseInt(await town.locator("#round-reach-n").innerText(), 10);
  check(reach > 3, `the round takes in people (${reach})`);
  await submit(town, "#round-start");
  roundUrl = town.url().split("?")[0];
  check((await town.locator("#round-title").innerText()).startsWith("汛期排查"), "the round's page");
  check(parseInt(await town.locator("#fig-pending").innerText(), 10) === reach, "everyone pending at first");
  // Two safe with one tap each from the list; the third needs help, from their page.
  for (let i = 0; i < 2; i++) {
    await submit(town, "#round-people li:first-child button[value=safe]");
    check((await town.locator("#fig-safe").innerText()) === String(i + 1), `${i + 1} safe`);
  }
  await submit(town, "#round-people li:first-child a.button");
  await town.check("#outcome-needs_help");
  await town.check("#need-medicine");
  await town.check("#need-ride");
  await town.fill("#attempt-note", "常用药快吃完了，需要陪同复诊");
  await submit(town, "#attempt-save");
  check((await town.locator("#fig-needs_help").innerText()) === "1", "one needs help");
  check(parseInt(await town.locator("#fig-pending").innerText(), 10) === reach - 3, "three fewer pending");
  const bar = await town.locator("#round-figures + svg.bar rect.b-safe").getAttribute("width");
  check(bar !== null, "the coverage bar is drawn");
  await town.click(`#state-tabs a[href*='state=needs_help']`);
  await town.waitForURL(/state=needs_help/);
  check((await town.locator("#round-people").innerText()).includes("药品"), "the needs are listed");
  const x = await town.request.get(`${roundUrl}/ledger.xlsx`);
  check(x.status() === 200, `ledger ${x.status()}`);
  check((x.headers()["content-type"] || "").includes("spreadsheetml"), "an XLSX file");
  const body = await x.body();
  check(body.length > 1000 && body.subarray(0, 2).toString() === "PK", "a real workbook");
});

// ---------------------------------------------------------------- events and the seniors' university
// A county organiser offers an event of two places; three members register (the third waits);
// the first cancels and the third is promoted and told in the inbox; the organiser checks the
// second in by code, twice (recorded once). A member enrols in two courses and sees the
// timetable.
let eventUrl = "";
const eventTitle = `健康讲座${uniqueS}${stamp}`;
const members = {};
async function member(user) {
  if (!members[user]) {
    const context = await browser.newContext({ viewport, locale: "zh-CN" });
    context.setDefaultTimeout(10000);
    members[user] = await context.newPage();
    await logIn(members[user], user);
  }
  current = members[user];
  return members[user];
}

await step("an organiser offers an event of two places; it fills and the third waits", async () => {
  const org = await member("staff03");
  await org.goto(`${base}/events/new`);
  await org.fill("#ev-title", eventTitle);
  await org.fill("#ev-place", "县老干部活动中心三楼");
  await org.fill("#ev-capacity", "2");
  await submit(org, "#event-save");
  eventUrl = org.url().split("?")[0];
  check(/\/events\/\d+$/.test(eventUrl), `the event's page: ${org.url()}`);
  const states = [];
  for (const user of ["member12", "member16", "member20"]) {
    const m = await member(user);
    await m.goto(eventUrl);
    await submit(m, "#register");
    states.push((await m.locator("#my-state").innerText()).trim());
  }
  check(states[0].startsWith("已报名") && states[1].startsWith("已报名"), `the first two have places: ${states}`);
  check(states[2].startsWith("候补"), `the third waits: ${states[2]}`);
});

await step("a cancellation promotes the next, who is told in the inbox", async () => {
  const first = await member("member12");
  await first.goto(eventUrl);
  await submit(first, "#my-cancel");
  const third = await member("member20");
  await third.goto(eventUrl);
  check((await third.locator("#my-state").innerText()).includes("递补于"), "promoted, with the time");
  let told = false;
  for (let i = 0; i < 20 && !told; i++) {
    await third.goto(`${base}/inbox`);
    told = (await third.locator("#inbox").count()) > 0 && (await third.locator("#inbox").innerText()).includes(eventTitle);
    if (!told) await third.waitForTimeout(1000);
  }
  check(told, "the promoted member is told");
});

await step("the organiser checks a member in by code, once", async () => {
  const second = await member("member16");
  await second.goto(eventUrl);
  const code = (await second.locator("#my-code").innerText()).trim();
  check(code.length === 8 && (await second.locator("#my-qr svg").count()) === 1, `a QR code and its code: ${code}`);
  const org = await member("staff03");
  await org.goto(`${eventUrl}/checkin`);
  for (const again of [false, true]) {
    await org.fill("#checkin-code", code.toLowerCase());
    await submit(org, "#checkin-go");
    const result = await org.locator("#checkin-result").innerText();
    check(result.includes(again ? "已经签到过了" : "签到成功"), `check-in ${again ? "again" : "first"}: ${result}`);
  }
  check((await org.locator("#attended").innerText()).trim() === "1", "recorded once");
});

await step("a member enrols in two courses and sees the timetable", async () => {
  const m = await member("member16");
  await m.goto(`${base}/university`);
  await submit(m, "#terms a:has-text('春季学期')");
  const sections = await m.locator("#catalogue li").evaluateAll((lis) => lis
    .filter((li) => /太极拳|智能手机/.test(li.textContent))
    .map((li) => li.querySelector("a").getAttribute("href")));
  check(sections.length === 2, `two courses found: ${sections}`);
  for (const href of sections) {
    await m.goto(`${base}${href}`);
    await submit(m, "#enrol");
    check((await m.locator("#my-state").innerText()).startsWith("已报名"), "enrolled");
  }
  await m.goto(`${base}/university/timetable`);
  const text = await m.locator("#timetable").innerText();
  check(text.includes("太极拳") && text.includes("智能手机") && text.includes("周二") && text.includes("周三"), `the timetable: ${text}`);
});

// ---------------------------------------------------------------- publishing and reading
const title = `老干部${uniqueS}书画班开课${stamp}`;
let articleId = "";

await step("an editor writes an article and submits it", async () => {
  const p = await newPage();
  await logIn(p, "editor05");
  await p.goto(`${base}/news/new`);
  await p.fill("#title", title);
  await p.fill("#body", `本周起，县老干部活动中心开设${uniqueS}书画班。\n\n欢迎退休干部报名参加。`);
  await submit(p, "main button[type=submit].primary.big");
  articleId = p.url().match(/\/news\/(\d+)/)?.[1] ?? "";
  check(articleId !== "", `the article's page: ${p.url()}`);
  await submit(p, "#submit-article");
  check(await p.locator("#article-state.state-submitted").count() === 1, "submitted for review");
  await p.context().close();
});

await step("the first reviewer approves, the county admin publishes", async () => {
  const r = await newPage();
  await logIn(r, "reviewer06");
  // The submission reached the reviewer's messages (the consumer runs every 5 s).
  let told = false;
  for (let i = 0; i < 20 && !told; i++) {
    await r.goto(`${base}/inbox`);
    told = (await r.locator("#inbox").count()) > 0 && (await r.locator("#inbox").innerText()).includes(title);
    if (!told) await r.waitForTimeout(1000);
  }
  check(told, "the reviewer is told an article waits");
  // The badge arrives by htmx after the page has loaded.
  await r.locator("#inbox-unread").waitFor({ state: "visible", timeout: 5000 });
  check((await r.locator("#inbox-unread").innerText()).trim() !== "", "an unread count in the header");
  await submit(r, `#inbox li:has-text("${title}") button.link`);
  check(r.url().endsWith(`/news/${articleId}`), "the message leads to the article");
  const body = (await r.locator(".article-body").boundingBox()).y;
  check((await r.locator("#decisions").boundingBox()).y > body, "the decisions stand below the text");
  await submit(r, "#approve-article");
  check(await r.locator("#article-state.state-first_approved").count() === 1, "first step passed");
  check((await r.locator("#flash").innerText()).length > 0, "a message says the decision is recorded");
  check(await r.locator("#approve-article").count() === 0, "the same reviewer is not offered the final approval");
  check(await r.locator("#decisions [name=action][value=reject]").count() === 1, "but may still send it back");
  await r.context().close();
  const a = await newPage();
  await logIn(a, "unitadmin02");
  await a.goto(`${base}/news/${articleId}`);
  await submit(a, "#approve-article");
  check(await a.locator("#article-state.state-published").count() === 1, "published");
  await a.context().close();
});

const reader = await newPage();
await step("the public reads the article", async () => {
  await reader.goto(`${base}/read/${articleId}`);
  check((await reader.locator("#article-title").innerText()) === title, "title");
  check((await reader.locator("#article-text").innerText()).includes("欢迎退休干部报名参加"), "body");
});

await step("read aloud: offered where the browser speaks, explained where it cannot", async () => {
  check(!(await reader.locator("#read-aloud").isDisabled()), "the button works here");
  check(await reader.locator("#read-aloud-unsupported").isHidden(), "no apology needed");
  const mute = await newPage();
  await mute.addInitScript(() => {
    // Some WeChat builds have no speech synthesis at all.
    delete window.speechSynthesis;
    if (Object.getPrototypeOf(window)) delete Object.getPrototypeOf(window).speechSynthesis;
  });
  await mute.goto(`${base}/read/${articleId}`);
  check(!(await mute.evaluate(() => "speechSynthesis" in window)), "the browser has no speech synthesis");
  check(await mute.locator("#read-aloud").isDisabled(), "the button is disabled");
  const note = mute.locator("#read-aloud-unsupported");
  check(await note.isVisible(), "the reader is told why");
  check((await note.innerText()).length > 10, "in words");
  await mute.context().close();
  // A browser that speaks, given voices: the article (Chinese) is read in a Chinese voice even
  // in the English interface; with no Chinese voice, or when speaking fails, the reader is told.
  const fake = ({ voices, fail }) => {
    const spoken = [];
    window.__spoken = spoken;
    const synth = {
      getVoices: () => voices,
      speak: (u) => { spoken.push({ lang: u.lang, voice: u.voice && u.voice.lang, rate: u.rate });
                      if (fail) setTimeout(() => u.onerror({ error: "synthesis-failed" }), 10); },
      cancel: () => {},
      addEventListener: () => {},
      onvoiceschanged: null,
    };
    Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
    // The real utterance accepts only the browser's own voices.
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  };
  const en = await newPage();
  await en.addInitScript(fake, { voices: [{ lang: "en-US", name: "English" }, { lang: "zh-CN", name: "Chinese" }], fail: false });
  await en.goto(`${base}/read/${articleId}`);
  await submit(en, "#lang-switch");
  check((await en.locator("html").getAttribute("lang")) === "en", "the English interface");
  check((await en.locator("#read-aloud").boundingBox()).y < (await en.locator(".article-body").boundingBox()).y, "read-aloud is above the text");
  await en.selectOption("#read-speed", "0.7");
  await en.click("#read-aloud");
  const said = await en.evaluate(() => window.__spoken[0]);
  check(said.lang === "zh-CN" && said.voice === "zh-CN", `read in Chinese: ${JSON.stringify(said)}`);
  check(Math.abs(said.rate - 0.7) < 0.01, "at the chosen speed");
  check(await en.locator("#read-aloud-novoice").isHidden(), "a Chinese voice exists");
  await en.context().close();
  const novoice = await newPage();
  await novoice.addInitScript(fake, { voices: [{ lang: "en-US", name: "English" }], fail: true });
  await novoice.goto(`${base}/read/${articleId}`);
  check(await novoice.locator("#read-aloud-novoice").isVisible(), "no Chinese voice: said so");
  await novoice.click("#read-aloud");
  await novoice.locator("#read-aloud-failed").waitFor({ state: "visible" });
  check((await novoice.locator("#read-aloud").getAttribute("aria-pressed")) === "false", "back to start after a failure");
  await novoice.context().close();
  current = reader;
});

await step("the public finds it by a Traditional-character search", async () => {
  await reader.goto(`${base}/read`);
  await reader.fill("#q", `老幹部${uniqueT}`);
  await submit(reader, "main form[role=search] button[type=submit]");
  const hit = reader.locator(`#hits a[href='/read/${articleId}']`);
  check(await hit.count() >= 1, "the article is among the hits");
  check((await reader.locator("#hits mark").count()) > 0, "matches are highlighted");
});

await step("readers comment, a moderator approves, another reader answers under the comment", async () => {
  const words = `书画班办得好${uniqueS}`;
  await reader.goto(`${base}/read/${articleId}`);
  await reader.fill("#author_name", "老李");
  await reader.fill("#comment-body", words);
  await submit(reader, "#comment-form button[type=submit]");
  check(await reader.locator("#comment-notice").isVisible(), "told it waits for moderation");
  const m = await newPage();
  await logIn(m, "unitadmin02");
  await m.goto(`${base}/news/comments`);
  const item = m.locator("#pending-comments li", { hasText: words });
  check(await item.count() === 1, "in the moderation queue");
  await Promise.all([m.waitForNavigation(), item.locator("button.primary").click()]);
  await m.context().close();
  const other = await newPage();
  await other.goto(`${base}/read/${articleId}`);
  const thread = other.locator("#comments li", { hasText: words });
  check(await thread.count() === 1, "the approved comment is shown");
  const summary = thread.locator("details.reader-reply summary");
  check((await summary.boundingBox()).height >= 48, "the reply button is big enough to tap");
  const report = thread.locator("details.report-comment > summary").first();
  const reportBox = await report.boundingBox();
  check(reportBox.width < (await summary.boundingBox()).width * 1.5, "reporting is a quiet link");
  check(await thread.locator("details.report-comment button[type=submit]").first().isHidden(), "reporting asks first");
  await summary.click();
  await thread.locator("input[name=author_name]").fill("老张");
  await thread.locator("textarea[name=body]").fill("我也想报名");
  await submit(other, `#comments li:has-text("${words}") details.reader-reply button[type=submit]`);
  check(await other.locator("#comment-notice").isVisible(), "the reply waits for moderation too");
  await other.context().close();
  current = reader;
});

// ---------------------------------------------------------------- essay campaigns
await step("a county admin opens a campaign to two chosen units", async () => {
  const a = await newPage();
  await logIn(a, "unitadmin02");
  await a.goto(`${base}/campaigns`);
  const options = await a.$$eval("#c-open option", (os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
  check(options.length >= 3, `units to choose from: ${options.length}`);
  // The organiser is the first unit offered (the top of the admin's scope); two below it.
  const chosen = options.slice(1, 3);
  await a.fill("#c-title", `重阳征文${stamp}`);
  await a.fill("#c-theme", "我的晚年生活");
  await a.selectOption("#c-open", chosen.map((o) => o.value));
  const day = (offset) => new Date(Date.now() + offset * 864e5).toISOString().slice(0, 10);
  await a.fill("#c-opens", day(0));
  await a.fill("#c-closes", day(10));
  await a.fill("#c-judges", "reviewer06");
  await submit(a, "form[action='/campaigns'] button[type=submit]");
  check(/\/campaigns\/\d+$/.test(a.url()), `the campaign's page: ${a.url()}`);
  const open = await a.locator("#open-units").innerText();
  for (const o of chosen) check(open.includes(o.text), `open to ${o.text}: ${open}`);
  await a.context().close();
});

// ---------------------------------------------------------------- accessibility and design
// Own checks of the elderly-design numbers on the page as shown, `large` for large type.
async function designProblems(page, large) {
  return page.evaluate((large) => {
    const problems = [];
    const minText = large ? 22 : 18;
    const minTarget = large ? 60 : 48;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
    };
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} "${el.textContent.trim().slice(0, 12)}"`;
    for (const el of document.body.querySelectorAll("*")) {
      if (!visible(el)) continue;
      const s = getComputedStyle(el);
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
      if (ownText) {
        const size = parseFloat(s.fontSize);
        if (size < minText - 0.01) problems.push(`text ${size}px in ${describe(el)}`);
        const heading = /^H[1-6]$/.test(el.tagName) || el.closest("h1,h2,h3,h4,h5,h6");
        const lh = s.lineHeight === "normal" ? 1.2 : parseFloat(s.lineHeight) / size;
        if (!heading && el.tagName !== "BUTTON" && !el.closest("button") && lh < 1.5 - 0.01)
          problems.push(`line height ${lh.toFixed(2)} in ${describe(el)}`);
      }
      if (s.position === "fixed" || s.position === "sticky") problems.push(`fixed overlay ${describe(el)}`);
      // Main controls: buttons, fields and links that stand alone (not inside running text).
      const control = el.matches("button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, a.button, nav a, header a, .list a");
      if (control) {
        const r = el.getBoundingClientRect();
        const inText = el.tagName === "A" && el.closest("p, li > div") && !el.matches("a.button, nav a, header a");
        if (!inText && (r.height < minTarget - 0.5 || r.width < minTarget - 0.5))
          problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)} ${describe(el)}`);
      }
    }
    return problems;
  }, large);
}

// Bytes of HTML, CSS, JS and fonts the page loads (decoded), images excluded.
async function pageWeight(context, url) {
  const page = await context.newPage();
  let bytes = 0;
  const pending = [];
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (["document", "stylesheet", "script", "font"].includes(type)) {
      pending.push(r.body().then((b) => { bytes += b.length; }).catch(() => {}));
    }
  });
  await page.goto(url, { waitUntil: "networkidle" });
  await Promise.all(pending);
  await page.close();
  return bytes;
}

async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function audit(label, page, url) {
  for (const large of [false, true]) {
    await step(`${label}: axe-core and elderly-design checks${large ? " (large type)" : ""}`, async () => {
      current = page;
      await page.goto(url);
      const isLarge = await page.evaluate(() => document.documentElement.classList.contains("large"));
      if (isLarge !== large) {
        await Promise.all([page.waitForLoadState("load"), page.click("#large-switch")]);
        await page.waitForFunction((l) => document.documentElement.classList.contains("large") === l, large);
      }
      const axe = await axeViolations(page);
      check(axe.length === 0, `axe: ${axe.map((v) => `${v.id} (${v.impact}) at ${v.nodes.join(", ")}`).join("; ")}`);
      const problems = await designProblems(page, large);
      check(problems.length === 0, problems.slice(0, 8).join("; ") + (problems.length > 8 ? ` … ${problems.length} in all` : ""));
      if (!large) {
        const bytes = await pageWeight(page.context(), url);
        check(bytes < 200 * 1024, `page weight ${bytes} bytes`);
        console.log(`#   ${label}: ${(bytes / 1024).toFixed(1)} KB of HTML, CSS, JS and fonts`);
      }
    });
  }
}

const anon = await newPage(true);
await audit("login page", anon, `${base}/login`);
await audit("article page", anon, `${base}/read/${articleId}`);
await audit("search results", anon, `${base}/read/search?q=${encodeURIComponent("老幹部")}`);
const signedIn = await newPage(true);
await logIn(signedIn, "staff10");
await audit("home", signedIn, `${base}/`);
await audit("person file with the visit form", signedIn, personUrl || `${base}/people`);
if (roundUrl) await audit("contact round", signedIn, roundUrl);
if (eventUrl) await audit("event page", signedIn, eventUrl);
await audit("events list", signedIn, `${base}/events`);
await audit("seniors' university", signedIn, `${base}/university`);
await audit("message settings", signedIn, `${base}/inbox/settings`);

// ---------------------------------------------------------------- lists on narrow screens
// Every list page is a table on a desk and a stack of cards on a phone: at 360 px, and at 360 px
// zoomed to 200 % (180 CSS px), in standard and large type, the rows are cards, and no name,
// number, date, masked phone or user name breaks inside itself.
// Every list page, as the user who uses it.
const lists = {
  unitadmin02: ["/people", "/accounts", "/talent?willing=1", "/news/correspondents", "/units"],
  staff10: ["/tasks", "/tasks?overdue=1", "/people", "/rounds"],
};
for (const width of [360, 180]) {
  for (const large of [false, true]) {
    await step(`list pages as cards at ${width} px${large ? ", large type" : ""}`, async () => {
      let cards = 0;
      let numbers = 0;
      for (const [user, paths] of Object.entries(lists)) {
        const context = await browser.newContext({ viewport: { width, height: 800 }, locale: "zh-CN" });
        const page = await context.newPage();
        current = page;
        await logIn(page, user);
        for (const path of paths) {
          await page.goto(`${base}${path}`);
          const isLarge = await page.evaluate(() => document.documentElement.classList.contains("large"));
          if (isLarge !== large) {
            await Promise.all([page.waitForLoadState("load"), page.click("#large-switch")]);
            await page.waitForFunction((l) => document.documentElement.classList.contains("large") === l, large);
          }
          const found = await page.$$eval("table.cards", (tables) => tables.map((t) => {
            const rows = [...t.querySelectorAll("tbody tr")];
            // An inline element that wraps has one box per line.
            const lines = (e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size;
            const broken = [...t.querySelectorAll("td .num, td.lead > a")]
              .filter((e) => lines(e) > 1)
              .map((e) => e.textContent.trim());
            return { rows: rows.length, flex: rows.every((r) => getComputedStyle(r).display === "flex"), broken };
          }));
          for (const f of found) {
            check(f.flex, `${path}: rows are not cards at ${width} px`);
            check(f.broken.length === 0, `${path}: broken inside a word or number: ${f.broken.slice(0, 5).join(" | ")}`);
            cards += f.rows;
          }
          // Lists that are not tables (tasks, the unit tree): numbers, dates and the overdue
          // mark never break either.
          // An inline element that wraps has boxes on more than one line (nested elements
          // give it several boxes on one line).
          const loose = await page.$$eval("main .num, main .late", (els) => {
            const lines = (e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size;
            return { n: els.length, broken: els.filter((e) => lines(e) > 1).map((e) => e.textContent.trim()) };
          });
          check(loose.broken.length === 0, `${path}: broken: ${loose.broken.slice(0, 5).join(" | ")}`);
          numbers += loose.n;
        }
        // Leave the account in standard type for whoever comes next.
        if (large) await Promise.all([page.waitForLoadState("load"), page.click("#large-switch")]);
        await context.close();
      }
      check(cards > 0 && numbers > 0, "no list rows were found");
    });
  }
}

await step("no CSP violations or script errors", async () => {
  check(scriptErrors.length === 0, scriptErrors.join(" | "));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
