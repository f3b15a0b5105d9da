/* The dashboard's two languages. The choice made with the switch is remembered;
   without one the page follows the browser (navigator.language). */
(function () {
  "use strict";
  var STRINGS = {
    "zh-CN": {
      title: "课堂看板", adminKey: "管理员密钥", wrongKey: "密钥不对，或这台服务器启动时没有 --admin-key。",
      signIn: "登录", keyHint: "启动服务器时 --admin-key 给出的密钥。", signOut: "退出",
      exportProgress: "导出进度 CSV", exportUsage: "导出用量 CSV", classTitle: "全班",
      waiting: "排队中", busySlots: "忙碌槽位", tokensPerS: "词元/秒", chartCaption: "最近 10 分钟每秒生成的词元数", chartMax: "最高 {v} 词元/秒",
      progressTitle: "练习进度", legendPassed: "已通过", legendTried: "尝试了 n 次，还没通过", legendNotYet: "还没做",
      usageTitle: "每个学生的用量", answersOn: "服务器在收集答案原文（--collect-answers），学生的笔记本会显示这一点。",
      student: "学生", passedCount: "通过", requests: "请求", tokens: "词元", errors: "错误", rateLimited: "限流（429）",
      lastSeen: "最后活动", lesson: "第 {n} 课", lessonRow: "课", live: "实时 · {s} 秒前更新", reconnecting: "正在重新连接……",
      never: "—", justNow: "刚刚", secondsAgo: "{n} 秒前", minutesAgo: "{n} 分钟前", hoursAgo: "{n} 小时前",
      cellPassed: "{name} · {ex}：已通过（{n} 次尝试）", cellTried: "{name} · {ex}：尝试 {n} 次，还没通过",
      cellNotYet: "{name} · {ex}：还没做", lastAnswer: "最后的答案：", noStudents: "还没有学生。"
    },
    en: {
      title: "Class dashboard", adminKey: "Admin key", wrongKey: "Wrong key, or this server was started without --admin-key.",
      signIn: "Sign in", keyHint: "The key given to serve --admin-key.", signOut: "Sign out",
      exportProgress: "Export progress CSV", exportUsage: "Export usage CSV", classTitle: "Class",
      waiting: "Waiting", busySlots: "Busy slots", tokensPerS: "Tokens/s", chartCaption: "Tokens generated per second, last 10 minutes", chartMax: "max {v} tokens/s",
      progressTitle: "Exercise progress", legendPassed: "passed", legendTried: "tried n times, not passed yet", legendNotYet: "not yet",
      usageTitle: "Usage per student", answersOn: "The server is collecting answer text (--collect-answers); students' notebooks say so.",
      student: "Student", passedCount: "Passed", requests: "Requests", tokens: "Tokens", errors: "Errors", rateLimited: "Rate-limited (429)",
      lastSeen: "Last seen", lesson: "Lesson {n}", lessonRow: "Lesson", live: "Live · updated {s} s ago", reconnecting: "Reconnecting…",
      never: "—", justNow: "just now", secondsAgo: "{n} s ago", minutesAgo: "{n} min ago", hoursAgo: "{n} h ago",
      cellPassed: "{name} · {ex}: passed ({n} attempts)", cellTried: "{name} · {ex}: tried {n} times, not passed yet",
      cellNotYet: "{name} · {ex}: not yet", lastAnswer: "Last answer: ", noStudents: "No students yet."
    }
  };
  var SAVED = "course-dashboard-lang";

  function initial() {
    var saved = null;
    try { saved = window.localStorage.getItem(SAVED); } catch (e) { saved = null; }
    if (saved && STRINGS[saved]) { return saved; }
    var wanted = (navigator.languages && navigator.languages[0]) || navigator.language || document.documentElement.lang;
    return /^zh/i.test(wanted || "") ? "zh-CN" : "en";
  }

  var current = initial();

  function t(key, values) {
    var text = (STRINGS[current] && STRINGS[current][key]) || STRINGS.en[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }

  function apply() {
    document.documentElement.lang = current;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-lang]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === current)); });
    document.title = t("title");
  }

  function setLang(lang) {
    if (!STRINGS[lang]) { return; }
    current = lang;
    try { window.localStorage.setItem(SAVED, lang); } catch (e) { /* private mode: not remembered */ }
    apply();
    document.dispatchEvent(new CustomEvent("langchange"));
  }

  window.CourseI18n = { t: t, lang: function () { return current; }, setLang: setLang };
  document.addEventListener("DOMContentLoaded", function () {
    apply();
    document.querySelectorAll("[data-lang]").forEach(function (b) {
      b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); });
    });
  });
}());
