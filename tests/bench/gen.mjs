// Deterministic bench data: a roster and N activity documents in the format
// of crates/core/src/doc.rs (docs/sync-protocol.md §1), every field path
// stamped as `Document::create` does. Same seed, same bytes.

const DEVICE = 'bench-office';
const BASE_MILLIS = 1_704_067_200_000; // 2024-01-01T00:00:00Z

/** mulberry32: a small seeded PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}

/** UUID v7 from milliseconds and a counter (as `Id::new_v7` lays it out). */
export function uuid7(millis, n) {
  const b = new Uint8Array(16);
  let m = BigInt(millis);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  let c = BigInt(n);
  for (let i = 15; i >= 6; i--) {
    b[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const stamp = (millis) => ({ hlc: { millis, counter: 0 }, device: DEVICE });

/** `Document::create`: every field path of the body gets `st`. */
function create(id, type, body, keyedLists, st) {
  const stamps = {};
  for (const [name, value] of Object.entries(body)) {
    if (keyedLists.includes(name) && Array.isArray(value)) {
      for (const el of value) {
        const base = `${name}/${el.id}`;
        stamps[base] = st;
        for (const f of Object.keys(el)) if (f !== 'id') stamps[`${base}/${f}`] = st;
      }
    } else {
      stamps[name] = st;
    }
  }
  return {
    format: 1,
    id,
    type,
    body,
    trashed: false,
    created: st,
    updated: st,
    stamps,
    seen: { [DEVICE]: st.hlc },
    conflicts: {},
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤农';
const GIVEN = '志强丽萍建华秀英明德海燕国庆玉兰文斌晓东卫东春梅光辉桂芳红霞永刚振华秋菊立新学军淑珍德明金凤宏伟慧敏建国小红';
const ROLES = ['member', 'deputy', 'liaison', 'supervisor'];
const SECTORS = ['农业界', '教育界', '医药卫生界', '经济界', '科技界', '社会福利界', '文化艺术界', '无党派人士'];
const UNITS = ['县第一中学', '县人民医院', '石门乡人民政府', '县农业农村局', '县工商联', '城关镇中心小学', '县供销社', '硕龙镇卫生院'];

export const PEOPLE_COUNT = 1000;

/** The roster: `count` people (the bench's 1,000 by default). */
export function people(count = PEOPLE_COUNT) {
  const r = rng(7);
  const out = [];
  for (let i = 0; i < count; i++) {
    const name = r.pick(SURNAMES) + GIVEN.substr(2 * r.int(0, GIVEN.length / 2 - 1), r.int(1, 2));
    const body = {
      name,
      role: r.pick(ROLES),
      sector: r.pick(SECTORS),
      group: `第${r.int(1, 6)}活动小组`,
      unit: r.pick(UNITS),
      phone: `13${r.int(100000000, 999999999)}`,
      note: '',
      active: true,
    };
    out.push(create(uuid7(BASE_MILLIS - 86_400_000 + i, 10_000_000 + i), 'person', body, [], stamp(BASE_MILLIS - 86_400_000 + i)));
  }
  return out;
}

const KINDS = [
  ['inspection', '视察'],
  ['survey', '调研'],
  ['visit', '走访'],
  ['forum', '座谈会'],
  ['hearing', '旁听庭审'],
  ['study', '学习'],
  ['appraisal', '民主评议'],
  ['other', '其他'],
];
const PLACES = ['石门乡水厂', '县人民法院第一审判庭', '城关镇敬老院', '县第一中学', '硕龙镇人民法庭', '县人大常委会会议室', '下雷镇农贸市场', '恩城乡卫生院', '县工业园区', '榄圩乡扶贫车间', '县政务服务中心', '宝圩乡中心小学'];
const TOPICS = ['农村饮水安全', '义务教育均衡发展', '养老服务体系建设', '营商环境优化', '农村人居环境整治', '基层医疗卫生服务', '食品安全监管', '乡村振兴产业发展', '民间借贷纠纷案', '河长制落实情况', '农民工工资支付', '校园周边交通安全'];
const ORGS = ['县政协办公室', '县人大常委会办公室', '县人民法院办公室', '县政协提案委', '县人大法工委'];
const DEPTS = ['县水利局', '县教育局', '县民政局', '县卫生健康局', '县市场监管局', '县农业农村局', '县住建局', '县人民法院', '县交通运输局'];
const SENTENCES = [
  '委员们实地察看了项目建设现场，听取了有关部门的情况汇报。',
  '座谈中，与会人员围绕工作推进中的难点问题进行了深入交流。',
  '近年来该项工作取得了明显成效，群众满意度不断提升。',
  '但部分村屯基础设施仍较薄弱，管护机制有待健全。',
  '相关部门表示将认真研究委员们提出的意见建议，抓好整改落实。',
  '调研组先后走访了三个乡镇、五个行政村，与基层干部群众面对面交流。',
  '现场查阅了有关台账资料，并随机抽查了部分农户。',
  '资金投入不足、专业人才缺乏的问题较为突出。',
  '建议进一步加强部门协作，形成工作合力。',
  '群众反映办事流程较多，部分事项仍需多次往返。',
  '庭审程序规范，法官驾驭庭审能力较强，裁判说理充分。',
  '旁听群众普遍认为此次庭审是一堂生动的法治教育课。',
];
const FINDINGS = [
  '部分设施老化，日常维护不到位。',
  '基层工作人员业务培训不足。',
  '信息公开不够及时，群众知晓率不高。',
  '经费保障机制尚不健全。',
  '部门之间数据共享不畅，存在重复填报现象。',
];
const SUGGESTIONS = [
  '建议加大财政投入，分年度推进设施改造升级',
  '建议建立长效管护机制，明确管护责任主体',
  '建议加强基层人员业务培训，提高服务水平',
  '建议推行一次办结，减少群众往返次数',
  '建议以案释法，加强法治宣传教育',
  '建议定期公开工作进展，接受群众监督',
  '建议设立专项资金，支持特色产业发展',
];
const SUG_STATUS = ['collected', 'forwarded', 'in_progress', 'resolved', 'answered'];
const REASONS = ['外出开会', '身体不适', '出差', '单位有紧急工作'];

function text(r, lo, hi, pool) {
  let s = '';
  const n = r.int(lo, hi);
  for (let i = 0; i < n; i++) s += r.pick(pool);
  return s;
}

const date = (y, m, d) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** `n` activities over 2020–2025: 3–10 participants, 0–5 suggestions. */
export function activities(n, roster = people()) {
  const r = rng(42);
  const out = [];
  for (let i = 0; i < n; i++) {
    const millis = BASE_MILLIS + i * 60_000;
    const [kind, kindZh] = r.pick(KINDS);
    const topic = r.pick(TOPICS);
    const y = r.int(2020, 2025);
    const m = r.int(1, 12);
    const d = r.int(1, 28);
    const hour = r.int(8, 16);
    const who = new Set();
    const count = r.int(3, 10);
    while (who.size < count) who.add(roster[r.int(0, roster.length - 1)].id);
    const participants = [...who].map((id) => {
      const x = r();
      const status = x < 0.8 ? 'attended' : x < 0.92 ? 'excused' : 'absent';
      return { id, status, reason: status === 'excused' ? r.pick(REASONS) : '' };
    });
    const suggestions = [];
    const sc = r.int(0, 5);
    for (let k = 0; k < sc; k++) {
      const status = r.pick(SUG_STATUS);
      const forwarded = status !== 'collected';
      const replied = status === 'answered' || status === 'resolved';
      suggestions.push({
        id: uuid7(millis, 1_000_000 + i * 10 + k),
        content: `${r.pick(SUGGESTIONS)}，${r.pick(SUGGESTIONS).slice(2)}`,
        raised_by: r.pick(roster).body.name,
        department: r.pick(DEPTS),
        status,
        reply: replied ? '已研究办理，并向建议人反馈办理结果' : '',
        reply_date: replied ? date(y, m, Math.min(28, d + 10)) : null,
        forwarded_on: forwarded ? date(y, m, Math.min(28, d + 2)) : null,
        told_raiser: replied && r() < 0.5,
      });
    }
    const body = {
      kind,
      title: `${kindZh}：${topic}${r() < 0.5 ? '情况' : '工作'}（第${(i % 97) + 1}次）`,
      date: date(y, m, d),
      start: `${String(hour).padStart(2, '0')}:00:00`,
      end: `${String(hour + 2).padStart(2, '0')}:30:00`,
      place: r.pick(PLACES),
      organiser: r.pick(ORGS),
      participants,
      other_attendees: r.int(0, 4),
      notes: text(r, 3, 10, SENTENCES),
      findings: text(r, 1, 3, FINDINGS),
      suggestions,
      follow_up: r() < 0.4 ? '待下次会议听取办理情况汇报。' : '',
      tags: r() < 0.3 ? [topic] : [],
    };
    out.push(create(uuid7(millis, i), 'activity', body, ['participants', 'suggestions'], stamp(millis)));
  }
  return out;
}
