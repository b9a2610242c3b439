//! The app's own wording, Chinese (default) and English side by side in one
//! table, and the UI language every screen reads through `use_i18n`.
//!
//! A missing translation is a compile error: each key names both texts. Not
//! here: the labels of core's enums (statuses, attendance, the rule's flag, a
//! record's problems), whose one home is `xunfang_core::lang` because core's
//! exports and summaries write the same words; labels of activity kinds and
//! roles, which are data (the template).

use crate::settings;
use leptos::prelude::*;

pub use xunfang_core::Lang;

/// The stored choice; else English when the browser asks for English first;
/// else Chinese.
fn initial_lang() -> Lang {
    settings::lang().unwrap_or_else(|| {
        let browser = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
        if Lang::from_code(&browser) == Some(Lang::En) {
            Lang::En
        } else {
            Lang::Zh
        }
    })
}

macro_rules! texts {
    ($($key:ident => $zh:expr, $en:expr;)*) => {
        /// A key into the text table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($key),* }

        pub fn text(key: T, lang: Lang) -> &'static str {
            match (key, lang) {
                $((T::$key, Lang::Zh) => $zh, (T::$key, Lang::En) => $en,)*
            }
        }
    };
}

texts! {
    AppName => "巡访", "Xunfang";
    AppTagline => "视察走访记录", "Inspection & visit notes";
    MainNav => "主导航", "Main navigation";
    NavRecords => "活动记录", "Records";
    NavPeople => "人员名册", "Roster";
    NavTrash => "回收站", "Trash";
    NavSettings => "设置", "Settings";
    SwitchLanguage => "English", "中文";
    Loading => "正在加载…", "Loading…";
    NewRecord => "新建记录", "New record";
    Search => "搜索", "Search";
    SearchHint => "标题、地点、内容、建议、人员姓名", "Title, place, notes, suggestions, names";
    FilterKind => "活动类型", "Kind";
    AllKinds => "全部类型", "All kinds";
    FilterPeriod => "时间范围", "Period";
    PeriodAll => "全部时间", "All time";
    PeriodMonth => "本月", "This month";
    PeriodQuarter => "本季度", "This quarter";
    PeriodYear => "本年度", "This year";
    PeriodCustom => "自定义范围", "Custom range";
    PeriodAYear => "某一年度", "A year";
    PeriodAQuarter => "某一季度", "A quarter";
    PeriodYearNumber => "年份", "Year";
    PeriodQuarterNumber => "季度", "Quarter";
    Quarter1 => "第一季度", "Q1";
    Quarter2 => "第二季度", "Q2";
    Quarter3 => "第三季度", "Q3";
    Quarter4 => "第四季度", "Q4";
    From => "起始日期", "From";
    To => "截止日期", "To";
    NoRecords => "还没有活动记录。点“新建记录”开始记录第一次活动。", "No records yet. Tap “New record” to note your first activity.";
    NoMatches => "没有符合条件的记录。可以换个关键词或时间范围。", "No record matches. Try other words or another period.";
    Untitled => "（无标题）", "(untitled)";
    Undated => "未填日期", "no date";
    Incomplete => "未填完", "incomplete";
    EditRecord => "编辑活动记录", "Edit record";
    FieldKind => "活动类型", "Kind of activity";
    ChooseKind => "请选择…", "Choose…";
    FieldTitle => "标题", "Title";
    FieldDate => "日期", "Date";
    FieldStart => "开始时间", "Start time";
    FieldEnd => "结束时间", "End time";
    FieldPlace => "地点", "Place";
    FieldOrganiser => "组织单位", "Organiser";
    Participants => "参加人员", "Participants";
    PickPerson => "从名册选择人员", "Pick a person from the roster";
    ChoosePerson => "请选择…", "Choose…";
    AddParticipant => "加入", "Add";
    RosterEmpty => "名册里还没有人员。", "The roster is empty.";
    AddToRoster => "在名册中新增人员", "Add a person to the roster";
    AttendanceOf => "出席情况", "Attendance";
    Reason => "请假事由", "Reason for absence";
    RemoveParticipant => "移出", "Remove";
    UnknownPerson => "（名册中已删除的人员）", "(person removed from the roster)";
    OtherAttendees => "其他参加人数（不在名册中）", "Other attendees (not on the roster)";
    PersonTimes => "人次", "Person-times";
    Notes => "内容", "Notes";
    Findings => "发现问题", "Findings";
    Suggestions => "意见建议", "Suggestions";
    AddSuggestion => "添加一条建议", "Add a suggestion";
    SuggestionContent => "建议内容", "Suggestion";
    RaisedBy => "提出人", "Raised by";
    Department => "承办部门", "For department";
    SuggestionStatus => "办理状态", "Status";
    Reply => "答复内容", "Reply";
    ReplyDate => "答复日期", "Reply date";
    RemoveSuggestion => "删除这条建议", "Remove this suggestion";
    FollowUp => "跟进情况", "Follow-up";
    Tags => "标签（用逗号或空格分隔）", "Tags (separated by commas or spaces)";
    DeleteRecord => "删除记录", "Delete record";
    ConfirmDeleteRecord => "把这条记录移到回收站？之后可以在回收站恢复。", "Move this record to the trash? You can restore it from the trash later.";
    MoveToTrash => "移到回收站", "Move to trash";
    Cancel => "取消", "Cancel";
    Saving => "正在保存…", "Saving…";
    Saved => "已保存到本机", "Saved on this device";
    NotSavedYet => "输入内容后自动保存", "Saved automatically as you type";
    BackToList => "返回记录列表", "Back to the records";
    RecordNotFound => "这条记录不存在或已被永久删除。", "This record does not exist or was deleted for good.";
    InTrash => "这条记录在回收站中。", "This record is in the trash.";
    Restore => "恢复", "Restore";
    ProblemsIntro => "还没填完（已保存，可以稍后补充）：", "Not complete yet (saved; you can finish later):";
    UnreadableSome => "条数据由更新版本的应用写入或已损坏，已原样保留。请更新应用。", "stored items were written by a newer version of the app or are damaged; they are kept as they are. Update the app.";
    PeopleTitle => "人员名册", "Roster";
    NewPerson => "新增人员", "Add a person";
    EditPerson => "编辑人员信息", "Edit person";
    Name => "姓名", "Name";
    Role => "身份", "Role";
    Sector => "界别", "Sector";
    Group => "活动小组", "Activity group";
    Unit => "工作单位", "Work unit";
    Phone => "电话", "Phone";
    Note => "备注", "Note";
    ActiveLabel => "在册（可选为参加人员）", "Active (can be picked as a participant)";
    Inactive => "已停用", "inactive";
    ShowInactive => "显示已停用人员", "Show inactive people";
    NoPeople => "名册里还没有人员。点“新增人员”添加委员、代表或联络员。", "The roster is empty. Tap “Add a person” to add members, deputies or liaison officers.";
    PersonNotFound => "找不到这位人员。", "This person does not exist.";
    DeletePerson => "删除人员", "Delete person";
    ConfirmDeletePerson => "把这位人员移到回收站？已有记录中的出席情况会保留。", "Move this person to the trash? Their attendance in existing records is kept.";
    BackToRoster => "返回名册", "Back to the roster";
    TrashTitle => "回收站", "Trash";
    TrashIntro => "删除的记录、人员、提案和社情民意先放在这里，可以恢复。", "Deleted records, people, proposals and opinion reports stay here and can be restored.";
    TrashProposals => "提案", "Proposals";
    TrashOpinions => "社情民意", "Opinion reports";
    DeleteProposal => "删除提案", "Delete proposal";
    ConfirmDeleteProposal => "把这份提案移到回收站？之后可以在回收站恢复。", "Move this proposal to the trash? You can restore it from the trash later.";
    DeleteOpinion => "删除社情民意", "Delete opinion report";
    ConfirmDeleteOpinion => "把这份社情民意移到回收站？之后可以在回收站恢复。", "Move this opinion report to the trash? You can restore it from the trash later.";
    TrashEmpty => "回收站是空的。", "The trash is empty.";
    TrashRecords => "活动记录", "Records";
    TrashPeople => "人员", "People";
    SettingsTitle => "设置", "Settings";
    Language => "界面语言", "Language";
    DeviceId => "本设备编号", "This device's id";
    DataHere => "所有记录都保存在本机浏览器中，没有网络也能使用。", "Every record is kept in this browser on this device and works without a network.";
    PageNotFound => "没有这个页面。", "There is no such page.";
    OpeningScreen => "正在打开…", "Opening…";
    Online => "在线", "Online";
    Offline => "离线", "Offline";
    OfflineHint => "离线也能正常记录，数据保存在本机。", "You can keep working offline; everything is saved on this device.";
    UpdateReady => "有新版本可用。", "A new version is available.";
    UpdateReload => "重新加载", "Reload";
    SafariWarning => "在 Safari 中，网站数据在 7 天未使用后可能被清除。请点“分享”按钮，选择“添加到主屏幕”，以后从主屏幕图标打开本应用。", "In Safari, a website's data may be cleared after seven days without use. Tap the Share button, choose “Add to Home Screen”, and open the app from that icon from now on.";
    Dismiss => "知道了", "Got it";
    StorageTitle => "本机存储", "Storage on this device";
    StorageUsed => "已使用", "Used";
    StorageOf => "共可用", "of";
    StorageUnknown => "这个浏览器不报告存储用量。", "This browser does not report storage use.";
    StoragePersisted => "已设为持久保存：浏览器不会自动清除本应用的数据。", "Persistent: the browser will not clear this app's data on its own.";
    StorageNotPersisted => "未设为持久保存：空间不足时浏览器可能清除本应用的数据。", "Not persistent: the browser may clear this app's data when space runs low.";
    StorageAskPersist => "请求持久保存", "Ask to keep data";
    StorageRefused => "浏览器拒绝了持久保存。请把本应用添加到主屏幕（或加入书签并经常使用）后再试。", "The browser refused to keep the data persistently. Add the app to the home screen (or bookmark it and use it often), then try again.";
    StorageNearlyFull => "存储空间快用完了（超过 80%）。请先联网同步（照片上传后可在本机删除不需要的照片），删除不需要的照片和记录，或在浏览器设置中清理其他网站的数据。", "Storage is nearly full (over 80%). Sync while online (photos on the server can then be deleted here), delete photos and records you no longer need, or clear other websites' data in the browser settings.";
    Version => "版本", "Version";
    SyncTitle => "同步", "Sync";
    SyncMode => "同步方式", "Sync mode";
    SyncModeNative => "巡访服务器（推荐）", "Xunfang server (recommended)";
    SyncModeRest => "通用 REST 接口（JSON 集合）", "Plain REST collection (JSON)";
    SyncModePushOnly => "只上传（接收端不返回数据）", "Push only (endpoint only accepts data)";
    SyncEndpoint => "服务器地址", "Server address";
    SyncToken => "访问令牌", "Access token";
    SyncRestTitle => "REST 接口的增量读取", "Reading a REST endpoint without reading it all";
    SyncRestHint => "接口支持哪项就勾选哪项；都不选时每次同步读取全部数据。每 24 次同步仍完整读取一次。", "Turn on what the endpoint supports; with none, every sync reads everything. Every 24th sync still reads everything.";
    SyncRestConditional => "条件请求（ETag / Last-Modified，未变化时返回 304）", "Conditional requests (ETag / Last-Modified; 304 when unchanged)";
    SyncRestSince => "“自某时以来的修改”查询（{since} 为毫秒，如 updated.hlc.millis_gte={since}）", "“Changed since” query ({since} in milliseconds, e.g. updated.hlc.millis_gte={since})";
    SyncRestPaging => "分页方式", "Paging";
    SyncRestPagingNone => "不分页（一次读取整个集合）", "None (one request per collection)";
    SyncRestPagingLimit => "_page 与 _limit（json-server 0.17）", "_page and _limit (json-server 0.17)";
    SyncRestPagingPerPage => "_page 与 _per_page（json-server 1.0）", "_page and _per_page (json-server 1.0)";
    SyncSave => "保存同步设置", "Save sync settings";
    SyncNow => "立即同步", "Sync now";
    SyncStop => "停止同步", "Stop syncing";
    SyncNotSet => "尚未设置同步：数据只保存在本机。", "Sync is not set up: data stays on this device only.";
    SyncRunning => "正在同步…", "Syncing…";
    SyncWaiting => "条修改待同步", "changes waiting";
    SyncAllSent => "全部已同步", "All synced";
    SyncLast => "上次同步", "Last sync";
    SyncNever => "从未同步", "never synced";
    SyncReceived => "已接收", "Received";
    SyncAbout => "约", "about";
    Photos => "照片", "Photos";
    TakePhoto => "拍照", "Take photo";
    ChoosePhoto => "从相册选择", "Choose from gallery";
    PhotoCaption => "照片说明", "Caption";
    PhotoDelete => "删除照片", "Delete photo";
    PhotoConfirmDelete => "删除这张照片？", "Delete this photo?";
    PhotoProcessing => "正在处理照片…", "Processing the photo…";
    PhotoNotImage => "这个文件不是可以读取的图片。", "This file is not an image the browser can read.";
    PhotoFailed => "照片处理失败：", "The photo could not be processed: ";
    PhotoNotHere => "照片在其他设备上，联网同步后可查看。", "The photo is on another device; it shows once you are online and synced.";
    PhotoView => "查看大图", "View full size";
    Close => "关闭", "Close";
    UsePosition => "使用我的位置", "Use my position";
    ClearPosition => "清除位置", "Clear position";
    PositionLabel => "位置", "Position";
    PositionAccuracy => "误差约", "accuracy about";
    Metres => "米", "m";
    PositionRefused => "没有获得定位权限。记录已保存；如需位置，请在浏览器设置中允许本网站使用位置信息。", "Location permission was refused. The record is saved; to add a position, allow location for this site in the browser settings.";
    PositionUnavailable => "暂时无法定位（室内或 GPS 未开启）。记录已保存，可以稍后再试。", "No position available (indoors, or GPS off). The record is saved; try again later.";
    PositionTimeout => "定位超时。记录已保存，可以到室外再试。", "Finding the position took too long. The record is saved; try again outdoors.";
    PositionUnsupported => "这个浏览器不支持定位。", "This browser cannot report a position.";
    PositionLocating => "正在定位…", "Finding the position…";
    PhotosStored => "张照片，占用", "photos, using";
    PhotosWaiting => "张等待上传", "waiting to upload";
    SyncSent => "已发送", "Sent";
    SyncRetryIn => "分钟后自动重试", "min until the next try";
    SyncErrOffline => "无法连接服务器（没有网络或服务器未开）", "No connection to the server (no network, or the server is off)";
    SyncErrToken => "服务器拒绝了访问令牌，请向办公室索取新的设置链接", "The server refused the token: ask the office for a new set-up link";
    SyncErrServer => "服务器出错", "The server failed";
    SyncErrBusy => "本设备请求过于频繁，服务器要求稍候", "This device sent too many requests; the server asked it to wait";
    SyncErrRefused => "服务器拒绝了请求", "The server refused the request";
    SyncErrBadResponse => "服务器的回答无法读取（地址是否正确？）", "The server's answer could not be read (is the address right?)";
    SyncErrStore => "本机存储出错", "Local storage failed";
    SyncErrInterrupted => "同步已停止，下次从中断处继续", "Sync stopped; the next one continues where it left off";
    SyncRejected => "条记录被服务器拒绝：", "records were refused by the server:";
    SyncRefused => "条从服务器收到的记录未采用（本机的修改保留，并会再次发送）：", "records from the server were not taken (the edits on this tablet are kept and sent again):";
    SyncRefusedShort => "条收到的记录未采用", "received records not taken";
    SyncRefusedClockOf => "设备", "the clock of device";
    SyncRefusedClockAhead => "的时钟快了", "is";
    SyncRefusedClockHours => "小时：请校正该设备的日期和时间后再同步", "hours ahead: set its date and time, then sync again";
    SyncRefusedForged => "时间戳已损坏或被伪造，请联系管理员。设备：", "its clock readings are damaged or forged; ask the administrator. Device:";
    SyncRefusedId => "编号不是小写 UUID 格式，请联系管理员", "its id is not written as a lowercase UUID; ask the administrator";
    SyncRefusedUnreadable => "格式无法读取，请联系管理员", "it is not in a format this app reads; ask the administrator";
    SyncErrCursorStuck => "服务器说还有数据，但同步位置没有前进，已停止同步；本机的修改都保留着，请告诉管理员", "The server says more is waiting but its position did not move, so sync stopped; every change on this tablet is kept. Tell the administrator";
    SyncErrCursorBack => "同步途中服务器的位置倒退了，已停止同步；本机的修改都保留着，请告诉管理员", "The server's position went back in the middle of a sync, so sync stopped; every change on this tablet is kept. Tell the administrator";
    SyncErrTooManyDocs => "服务器一次发来的记录多于所要的，已拒收；本机的修改都保留着，请告诉管理员", "The server sent more records at once than were asked for, so they were refused; every change on this tablet is kept. Tell the administrator";
    SyncErrNotModifiedUnasked => "REST 接口对一个没有条件的请求回答“未修改”（304），已停止同步；本机的修改都保留着。请在同步设置中关闭“条件请求”，或告诉管理员", "The REST endpoint answered “not modified” (304) to a request that had no condition, so sync stopped; every change on this tablet is kept. Turn off “Conditional requests” in the sync settings, or tell the administrator";
    SyncErrEndlessPages => "REST 接口一直发来满页的数据，已停止同步；本机的修改都保留着。请在同步设置中换一种分页方式，或告诉管理员", "The REST endpoint kept sending full pages, so sync stopped; every change on this tablet is kept. Choose another paging in the sync settings, or tell the administrator";
    SyncErrTooLarge => "服务器的回答太大（超过 16 MB），已拒收；本机的修改都保留着，请告诉管理员", "The server's answer is too large (over 16 MB), so it was refused; every change on this tablet is kept. Tell the administrator";
    RefusedByServer => "服务器没有接受这条记录的这次修改，它仍在本机等待发送（服务器更新后会再发送）。服务器的理由：", "The server did not accept this change; it stays on this tablet and is sent again after the server is updated. The server's reason:";
    SyncSetupLink => "平板设置链接：在平板上打开此链接（或扫描二维码），即可自动填好同步设置。", "Tablet set-up link: open it on a tablet (or scan the QR code) to fill in the sync settings.";
    SyncSetupConfirm => "使用这个链接中的同步设置？", "Use the sync settings from this link?";
    SyncSetupUse => "使用这些设置", "Use these settings";
    SyncSaved => "已保存，正在同步。", "Saved; syncing now.";
    SyncErrWithdrawn => "办公室已收回这台平板的同步权限。它上面的记录都还保留在本机，没有删除。如需继续同步，请向办公室索取新的设置链接。", "The office has withdrawn this tablet's access to sync. Its records all stay on this tablet; nothing was deleted. Ask the office for a new set-up link if it should sync again.";
    SetupClaiming => "正在用设置链接设置这台平板…", "Setting this tablet up from the set-up link…";
    SetupDone => "这台平板已设置好，正在同步。团队与名称：", "This tablet is set up and syncing. Team and name:";
    SetupUsed => "这个设置链接已经用过了（每个链接只能设置一台平板）。请向办公室索取新的链接。", "This set-up link has already been used (each link sets up one tablet). Ask the office for a new one.";
    SetupExpired => "这个设置链接已过期（一天内有效）。请向办公室索取新的链接。", "This set-up link has expired (links work for one day). Ask the office for a new one.";
    SetupUnknown => "服务器不认识这个设置链接。请检查链接是否完整，或向办公室索取新的链接。", "The server does not know this set-up link. Check that the link is complete, or ask the office for a new one.";
    DevicesTitle => "平板管理", "Devices";
    DevicesIntro => "添加平板，查看各平板的同步情况，收回丢失平板的权限", "Add tablets, see when each synced, withdraw a lost tablet's access";
    DevicesAdminToken => "管理令牌", "Admin token";
    DevicesAdminTokenHint => "管理令牌只保存在这台办公室电脑上，不会同步到其他设备。由服务器管理员用 xunfang-server token create --admin --team 团队名 生成。", "The admin token is kept on this office computer only and never synced. The server's administrator makes one with xunfang-server token create --admin --team NAME.";
    DevicesSaveToken => "保存并加载列表", "Save and load the list";
    DevicesTeam => "团队：", "Team:";
    DevicesNone => "还没有平板。", "No tablets yet.";
    DevicesLabel => "名称", "Name";
    DevicesKind => "类型", "Kind";
    DevicesKindDevice => "单台平板", "One tablet";
    DevicesKindTeam => "团队共用令牌", "Team-wide token";
    DevicesCreated => "添加时间", "Added";
    DevicesLastUsed => "最后使用", "Last used";
    DevicesLastSync => "最后同步", "Last sync";
    DevicesWaiting => "当时待发送", "Waiting then";
    DevicesExpires => "到期", "Expires";
    DevicesState => "状态", "Status";
    DevicesRevoked => "已收回", "Withdrawn";
    DevicesActive => "可用", "Active";
    DevicesNever => "从未", "Never";
    DevicesAdd => "添加平板", "Add a tablet";
    DevicesNewLabel => "平板名称（如使用人）", "Tablet name (e.g. who carries it)";
    DevicesNewExpires => "权限到期日（可不填）", "Access ends on (optional)";
    DevicesLinkOnce => "在新平板上打开这个链接或扫描二维码。它只显示这一次，一天内有效，只能用一次：", "Open this link on the new tablet or scan the QR code. It is shown only this once, works for one day, and only once:";
    DevicesLost => "平板丢失", "Lost tablet";
    DevicesLostConfirm => "收回这台平板的同步权限？其他平板不受影响，它本机的记录不会被删除。", "Withdraw this tablet's access to sync? The other tablets are not affected; its own records are not deleted.";
    DevicesLostDo => "收回权限", "Withdraw access";
    DevicesFailed => "操作没有成功：", "That did not work:";
    DevicesBadAdmin => "服务器不接受这个管理令牌（不对、已过期或已被收回，或者它是平板的同步令牌）。请向服务器管理员索取管理令牌。", "The server does not accept this admin token (it is wrong, expired or revoked, or it is a tablet's sync token). Ask the server's administrator for an admin token.";
    ConflictIntro => "此记录在其他设备上也被修改过：", "This record was also edited on another device:";
    ConflictAlso => "也在设备", "Also edited on device";
    ConflictAt => "于", "at";
    ConflictUse => "使用这个", "Use this";
    ConflictRemoved => "（已删除）", "(removed)";
    NavOffice => "办公室", "Office";
    OfficeTitle => "办公室", "Office";
    BackToOffice => "返回办公室", "Back to the office";
    BoardTitle => "意见建议办理", "Suggestions board";
    BoardIntro => "所有记录中的意见建议：转交、办理、答复，转为提案或社情民意", "Every suggestion from every record: forward, follow up, reply, promote";
    AttendanceTitle => "考勤与履职积分", "Attendance and points";
    AttendanceIntro => "每人出席、请假、缺席，连续缺席提醒，履职积分", "Attendance per person, absence warnings, points";
    ReportTitle => "期间统计报表", "Period report";
    ReportIntro => "按月、季、年或自定义时间统计活动、人次和建议", "Activities, person-times and suggestions for a period";
    SummaryTitle => "工作总结草稿", "Drafted summary";
    SummaryIntro => "一键生成年度工作总结草稿，数字全部来自记录", "Draft the year-end summary from the records in one click";
    BriefingTitle => "活动简报", "Briefing";
    BriefingIntro => "一周或一个月的活动简报，可打印、可复制发给委员", "A week's or a month's activities, to print or copy for the members";
    BriefingSpan => "简报范围", "Briefing covers";
    BriefingWeek => "一周（周一至周日）", "A week (Monday to Sunday)";
    BriefingMonth => "一个月", "A month";
    BriefingDay => "包含此日期", "The week or month of";
    DutyTitle => "履职档案", "Duty record";
    DutyIntro => "每位委员一页：全年出席、请假、缺席、意见建议和积分，可一次打印全部", "One page per member for a year: attendance, absences, suggestions and points; print all at once";
    DutyYear => "年度", "Year";
    DutyPrintAll => "打印全部委员档案", "Print every member's record";
    DutyCount => "委员人数：", "Members:";
    DutyEmpty => "这一年没有委员的记录。", "No member has records in this year.";
    DutyNone => "无", "none";
    DutyDate => "日期", "Date";
    DutyActivity => "活动", "Activity";
    DutyNote => "备注", "Note";
    DutySuggestion => "意见建议", "Suggestion";
    DutyOutcome => "办理结果", "Outcome";
    DutyAttended => "出席活动次数", "Activities attended";
    DutyByKind => "按类别出席次数", "Attended by kind";
    DutyExcused => "请假", "Excused";
    DutyAbsent => "缺席", "Absent";
    DutySuggestions => "提出的意见建议及办理结果", "Suggestions raised and their outcome";
    DutyYes => "是", "yes";
    DutyNo => "否", "no";
    Colon => "：", ": ";
    ExportsTitle => "导出与备份", "Exports and backup";
    ExportsIntro => "下载表格（CSV），备份和恢复全部数据", "Download spreadsheets (CSV); back up and restore everything";
    Proposals => "提案", "Proposals";
    OpinionReports => "社情民意", "Opinion reports";
    NewProposal => "新建提案", "New proposal";
    NewOpinion => "新建社情民意信息", "New opinion report";
    AllStatuses => "全部状态", "All statuses";
    AllDepartments => "全部部门", "All departments";
    BoardEmpty => "没有符合条件的意见建议。", "No suggestion matches.";
    ForwardedOn => "转交日期", "Forwarded on";
    RaiserTold => "已告知建议人", "raiser told";
    RaiserNotTold => "未告知建议人", "raiser not told yet";
    FollowUpAction => "跟进办理", "Follow up";
    PromoteProposal => "转为提案", "Make a proposal";
    PromoteOpinion => "转为社情民意", "Make an opinion report";
    ProposalN => "提案", "Proposal";
    OpinionN => "社情民意", "Opinion report";
    ForwardStep => "转交承办部门", "Forward to a department";
    ForwardTo => "转交给（部门）", "Forward to (department)";
    Forward => "转交", "Forward";
    StartHandling => "部门已开始办理", "The department is handling it";
    CloseStep => "办结或答复", "Close or reply";
    TellRaiser => "已告知提出人", "The person who raised it was told";
    MarkResolved => "标记为已办结", "Mark as resolved";
    MarkAnswered => "标记为已答复", "Mark as answered";
    FollowUpDone => "这条建议已经办完（已办结或已答复）。", "This suggestion's follow-up is finished.";
    FollowUpNotFrom => "这条建议当前的状态不能这样办理。", "This step does not fit the suggestion's current status.";
    FollowUpNoDepartment => "请填写转交的部门。", "Say which department it is forwarded to.";
    FollowUpNoReply => "请先填写答复或办理结果。", "Write the reply or the outcome first.";
    ProposalTitle => "提案", "Proposal";
    ProposalCaseTitle => "案由", "Title";
    Category => "类别", "Category";
    ProposalContent => "提案内容", "Content";
    LeadProposer => "第一提案人", "Lead proposer";
    CoSigners => "联名提案人", "Co-signers";
    HandlingUnit => "承办单位", "Handling unit";
    SubmittedOn => "提交日期", "Submitted on";
    FromSuggestion => "查看来源记录中的意见建议", "See the record this suggestion came from";
    OpinionTitle => "社情民意信息", "Public-opinion report";
    Situation => "基本情况", "Situation";
    Cause => "原因分析", "Cause";
    Reporter => "反映人", "Reporter";
    ReporterUnit => "反映人单位", "Reporter's unit";
    Adopted => "已被采用", "Adopted";
    WarnAfter => "连续缺席几次口头警告", "Absences in a row for a warning";
    RemoveAfter => "连续缺席几次建议取消资格", "Absences in a row to recommend removal";
    ChooseRange => "请选择完整的起止日期。", "Choose both the first and the last day.";
    Invited => "应邀", "Invited";
    LongestAbsentRun => "最多连续缺席", "Most absences in a row";
    AttendanceFlag => "考勤提醒", "Attendance flag";
    Score => "履职积分", "Points";
    Passed => "合格", "Passed";
    Yes => "是", "yes";
    No => "否", "no";
    PointsScheme => "积分规则", "Points scheme";
    PointsBase => "基础分", "Base score";
    PointsPass => "合格线", "Pass mark";
    PointsCap => "最多", "at most";
    PointsAttended => "每参加一次活动", "Each activity attended";
    PointsAbsent => "每缺席一次", "Each absence";
    PointsSuggestion => "每提出一条意见建议", "Each suggestion raised";
    PointsProposalLead => "每件提案（第一提案人）", "Each proposal led";
    PointsCoSigner => "每件联名提案", "Each proposal co-signed";
    PointsOpinion => "每篇社情民意信息", "Each opinion report";
    Print => "打印", "Print";
    FigActivities => "活动次数", "Activities";
    FigPersonTimes => "参加人次", "Person-times";
    FigPeopleAttended => "参加人数", "People who took part";
    FigPeopleInvited => "邀请人数", "People invited";
    FigSuggestions => "收集意见建议", "Suggestions collected";
    FigForwarded => "已转交", "Forwarded";
    FigClosed => "已办结或答复", "Resolved or answered";
    FigRaiserTold => "已告知建议人", "Raiser told";
    UndatedNotCounted => "未填日期、未计入的记录：", "Records without a date, not counted:";
    ActivitiesByKind => "按类型统计活动", "Activities by kind";
    SuggestionsByStatus => "意见建议办理情况", "Suggestions by status";
    ChartTitle => "每月活动次数（按类型）", "Activities per month, by kind";
    PersonSheet => "人员履职情况表", "Per-person sheet";
    CustomFigures => "专项统计", "The team's own figures";
    KindFields => "本类活动专项内容", "This kind's own fields";
    OtherCustomValues => "其他专项内容", "Other recorded fields";
    TplTitle => "团队模板", "Team template";
    TplIntro => "活动类型、专项字段、角色、考勤规则和积分，同步到每台设备。", "Kinds, their own fields, roles, the attendance rule and points, synced to every device.";
    TplKinds => "活动类型", "Kinds of activity";
    TplRoles => "人员角色", "Roles";
    TplFields => "专项字段", "Custom fields";
    TplRule => "考勤规则与积分", "Attendance rule and points";
    TplDefaultMinutes => "默认活动时长（分钟）", "Default duration (minutes)";
    TplLabelZh => "中文名称", "Chinese label";
    TplLabelEn => "英文名称", "English label";
    TplRetired => "停用（旧记录仍可查看）", "Retired (old records still show it)";
    TplRequired => "必填", "Required";
    TplUnit => "单位", "Unit";
    TplOptions => "选项", "Options";
    TplOptionsHint => "选项（每行一个：中文 / English）", "Options (one a line: 中文 / English)";
    TplType => "字段类型", "Field type";
    TplAddKind => "添加活动类型", "Add a kind";
    TplAddRole => "添加角色", "Add a role";
    TplAddField => "为预览中的类型添加字段", "Add a field to the kind in the preview";
    TplExamples => "内置示例", "Built-in examples";
    TplExamplesHint => "以示例为起点：示例中没有的类型和字段会停用，不会删除。", "Start from an example: kinds and fields it lacks are retired, not deleted.";
    TplUseLiaison => "联络工作模板", "Liaison office template";
    TplUseSchool => "学校安全检查模板", "School safety inspection template";
    TplPreview => "记录编辑预览", "Preview of the record editor";
    TplPoints => "分值", "Points";
    DownloadSheet => "下载人员履职表（CSV）", "Download the per-person sheet (CSV)";
    DraftSummary => "生成总结草稿", "Draft the summary";
    MissingIntro => "记录中缺少以下内容，草稿里已如实说明；补全记录后可重新生成：", "The records do not say the following; the draft says so plainly. Complete the records and draft again:";
    SummaryText => "总结草稿（可以修改）", "Draft (you can edit it)";
    Copy => "复制全文", "Copy all";
    Copied => "已复制，可以粘贴到文档中。", "Copied; paste it into a document.";
    CopyFailed => "浏览器不允许自动复制。请在上面的文本框中全选（长按或 Ctrl+A）后手动复制。", "The browser does not allow copying here. Select all the text in the box above (long press or Ctrl+A) and copy it.";
    CsvTitle => "表格（CSV）", "Spreadsheets (CSV)";
    CsvIntro => "可用 Excel 或 WPS 打开，中文不会乱码。", "Opens in Excel or WPS; Chinese text stays readable.";
    CsvRecords => "下载活动记录（CSV）", "Download records (CSV)";
    CsvSuggestions => "下载意见建议（CSV）", "Download suggestions (CSV)";
    CsvPeople => "下载人员名册（CSV）", "Download the roster (CSV)";
    CsvSheetOnReport => "人员履职表在统计报表中下载", "The per-person sheet is on the report";
    XlsxTitle => "Excel 表格（.xlsx）", "Excel workbooks (.xlsx)";
    XlsxIntro => "数字和日期按类型保存，表头固定在首行，可直接排序、求和。", "Numbers and dates keep their types and the header row stays in view: sort and sum straight away.";
    XlsxRecords => "下载活动记录（Excel）", "Download records (Excel)";
    XlsxSuggestions => "下载意见建议（Excel）", "Download suggestions (Excel)";
    XlsxPeople => "下载人员名册（Excel）", "Download the roster (Excel)";
    XlsxFailed => "无法生成 Excel 文件，可先下载 CSV。原因：", "The Excel file could not be made; download the CSV instead. Reason:";
    BoardCsv => "下载筛选结果（CSV）", "Download what is shown (CSV)";
    BoardXlsx => "下载筛选结果（Excel）", "Download what is shown (Excel)";
    XlsxSheet => "下载人员履职表（Excel）", "Download the per-person sheet (Excel)";
    XlsxReport => "下载统计报表（Excel）", "Download the report (Excel)";
    BackupTitle => "完整备份", "Full backup";
    BackupIntro => "备份文件包含本机的全部记录、人员、提案和社情民意（包括回收站）。导入时按编号合并，重复导入不会产生重复数据。", "The backup holds every record, person, proposal and opinion report on this device (the trash too). Importing merges by id; importing twice creates no duplicates.";
    DownloadBackup => "下载完整备份（JSON）", "Download a full backup (JSON)";
    ImportBackup => "导入备份文件", "Import a backup file";
    ImportDone => "导入完成：", "Imported:";
    ImportAdded => "新增", "added";
    ImportUpdated => "更新", "updated";
    ImportUnchanged => "未变化", "unchanged";
    ImportMalformed => "这个文件不是可以读取的巡访备份文件，没有导入任何内容。", "This file is not a Xunfang backup that can be read; nothing was imported.";
    ImportTooNew => "这个备份由更新版本的应用导出，请先更新应用。没有导入任何内容。", "This backup was made by a newer version of the app; update the app first. Nothing was imported.";
    ImportMergeFailed => "备份中的一份数据无法合并，没有导入任何内容。", "A document in the backup could not be merged; nothing was imported.";
    InsecureContext => "此地址不是安全连接（https），浏览器不允许应用在这里离线工作或保存照片。请打开办公室服务器的 https 地址；如果平板还没有信任办公室证书，先打开证书设置页按步骤安装。", "This address is not a secure connection (https): the browser lets the app neither work offline nor keep photos here. Open the office server's https address; if this tablet does not trust the office certificate yet, open the certificate set-up page and follow its steps first.";
    InsecureSetupLink => "打开证书设置页（/setup/ca）", "Open the certificate set-up page (/setup/ca)";
    OfflineUse => "离线使用：在办公室联网时打开一次本应用，之后没有网络也能打开和使用。", "Offline use: open the app once while online at the office; after that it opens and works with no network.";
    VisitsTitle => "走访委员", "Member visits";
    VisitsIntro => "每季度走访每位委员，列出尚未走访的人", "Each member visited every quarter: who has not been";
    VisitsExplain => "走访委员制度：每位委员每期至少走访一次。列出本期和以往各期尚未走访（或次数不够）的人。走访记录中标为“出席”的人算作已走访。", "The visit rule: every member is visited at least once a period. Listed below, for this period and past ones, are those not visited (or not often enough). A person marked as attending a visit record counts as visited.";
    VisitsRule => "走访规则（团队设置，同步到所有设备）", "Visit rule (team setting, synced to every device)";
    VisitsKinds => "算作走访的活动类型", "Kinds of activity that count as a visit";
    VisitsRoles => "需要走访的人员身份", "Roles of the people to visit";
    VisitsPeriod => "周期", "Period";
    VisitsMin => "每期至少走访次数", "Visits needed per period";
    VisitsMonthly => "每月", "Monthly";
    VisitsQuarterly => "每季度", "Quarterly";
    VisitsHalfYearly => "每半年", "Half-yearly";
    VisitsYearly => "每年", "Yearly";
    VisitsOff => "走访规则未启用：请在上面的规则中选择至少一种算作走访的活动类型。", "The visit rule is off: choose at least one kind of activity that counts as a visit in the rule above.";
    VisitsCurrent => "（本期）", "(current)";
    VisitsVisited => "已走访", "Visited";
    VisitsAllDone => "本期每位都已走访。", "Everyone was visited in this period.";
    VisitsNotVisited => "尚未走访", "Not visited";
    SwitchTitle => "要换到另一个团队或服务器", "Switching to another team or server";
    SwitchExplain => "两个团队的数据不能同时留在一台平板上。可以先把待发送的更改发给原来的团队，再清除这台平板并为新团队设置；或者取消，什么都不变。", "Two teams' data never stay on one tablet together. You can send what is waiting to the old team first, then erase this tablet and set it up for the new team; or cancel, and nothing changes.";
    SwitchTo => "新的同步：", "New sync:";
    SwitchSendThenErase => "先发送待发送的更改，再清除并切换", "Send what is waiting, then erase and switch";
    SwitchWorking => "正在发送待发送的更改…", "Sending what is waiting…";
    SwitchNotSent => "没能发送给原来的团队，平板上的内容一项也没有清除：", "Could not send to the old team; nothing on this tablet was erased:";
    SwitchEraseAnyway => "仍然清除并切换（未发送的更改将丢失）", "Erase and switch anyway (unsent changes are lost)";
    SwitchUnknownTeam => "无法确认新的令牌是否属于同一个团队（服务器没有回答），所以按另一个团队处理。", "Could not check whether the new token belongs to the same team (the server did not answer), so it is treated as another team.";
    LinkRefusedHttps => "这个设置链接指向的地址不是 https，不能使用（只有本机地址可以用 http）。", "This set-up link points to an address that is not https and cannot be used (only this device's own address may use http).";
    LinkRefusedMalformed => "这个设置链接里的地址无效或隐藏了真实主机，不能使用。", "The address in this set-up link is not valid or hides its real host, so it cannot be used.";
    LinkDismiss => "不使用这个链接", "Do not use this link";
    EraseTitle => "退出并清除这台平板", "Sign out and erase this tablet";
    EraseHint => "删除这台平板上的全部记录、照片、待发送的更改、同步设置和令牌，应用随后以空白状态重新启动。已经同步到服务器的内容不受影响。", "Deletes every record, photo, waiting change, sync setting and token on this tablet; the app then restarts empty. What was synced to the server stays there.";
    EraseButton => "退出并清除这台平板", "Sign out and erase this tablet";
    EraseConfirm => "确定要清除这台平板上的全部内容吗？此操作无法撤销。", "Erase everything on this tablet? This cannot be undone.";
    EraseUnsentFirst => "还有未发送的更改，清除后它们将永远丢失。仍要继续吗？", "Some changes are not yet sent; erasing loses them for good. Go on anyway?";
    EraseUnsentAgain => "再确认一次：未发送的更改将丢失，平板上的全部内容将被清除。", "Confirm once more: the unsent changes are lost and everything on this tablet is erased.";
    EraseGoOn => "继续", "Go on";
    EraseNow => "清除", "Erase";
    EraseWaiting => "项更改尚未发送", "changes not yet sent";
    EraseFailed => "没能清除这台平板：", "Could not erase this tablet:";
    PasscodeTitle => "密码锁", "Passcode lock";
    PasscodeOff => "本平板没有设置密码：拿到平板的人可以读到所有记录。", "This tablet has no passcode: whoever picks it up can read every record.";
    PasscodeOn => "本平板已设置密码：记录、列表、照片、待发送队列和同步令牌都加密保存。", "This tablet has a passcode: records, list rows, photos, the outbox and the sync token are stored encrypted.";
    PasscodeKind => "密码类型", "Kind of passcode";
    PasscodePin => "6 位数字 PIN", "6-digit PIN";
    PasscodeText => "密码（至少 8 个字符）", "Passcode (at least 8 characters)";
    PasscodeNew => "新密码", "New passcode";
    PasscodeRepeat => "再次输入新密码", "The new passcode again";
    PasscodeIdle => "无操作多少分钟后锁定（1–240）", "Lock after this many minutes without use (1–240)";
    PasscodeMaxTries => "连续输错多少次后抹掉本平板（3–50）", "Erase this tablet after this many wrong tries (3–50)";
    PasscodeSyncLocked => "锁定时继续同步（页面开着时数据密钥留在内存里）", "Keep syncing while locked (the data key stays in memory while the page is open)";
    PasscodeForgotten => "忘记密码，本平板上的数据就无法找回，这是有意的设计：已同步的记录在重新设置平板后会从服务器回来，尚未发送的修改会丢失。", "If the passcode is forgotten, the data on this tablet is gone by design: whatever was synced comes back after a new set-up; changes not yet sent are lost.";
    PasscodeSet => "设置密码", "Set passcode";
    PasscodeChange => "更改密码", "Change passcode";
    PasscodeSavePolicy => "保存锁定设置", "Save lock settings";
    PasscodeRemove => "取消密码", "Remove passcode";
    PasscodeRemoveConfirm => "取消密码后，本平板上的所有数据会重新以明文保存。确定吗？", "Without a passcode everything on this tablet is stored unencrypted again. Remove it?";
    PasscodeSaved => "已保存。", "Saved.";
    PasscodeWorking => "正在处理，请稍候…", "Working, please wait…";
    PasscodeMismatch => "两次输入的新密码不一致。", "The two entries of the new passcode differ.";
    PasscodePinNotSix => "PIN 必须正好是 6 位数字。", "A PIN is exactly 6 digits.";
    PasscodePinSimple => "这个 PIN 太容易被猜到（重复或连续的数字），请换一个。", "That PIN is too easy to guess (repeated or consecutive digits): choose another.";
    PasscodeTooShort => "密码至少需要 8 个字符。", "A passcode needs at least 8 characters.";
    PasscodeFailed => "操作没有完成：", "That did not work: ";
    LockNow => "立即锁定", "Lock now";
    LockTitle => "巡访已锁定", "Xunfang is locked";
    LockPrompt => "输入密码解锁", "Enter the passcode to unlock";
    Unlock => "解锁", "Unlock";
    LockChecking => "正在核对密码…", "Checking the passcode…";
    LockWrong => "密码不对。", "Wrong passcode.";
    LockWaitSecs => "秒后可以再试。", "seconds until the next try.";
    LockWarnBefore => "再输错 ", "";
    LockWarnAfter => " 次，本平板将被抹掉，尚未发送的修改会丢失。", " more wrong tries erase this tablet; changes not yet sent would be lost.";
    PasscodeNeedsHttps => "密码锁需要安全连接：请通过办公室服务器的 https 地址打开本应用后再设置（见“打开证书设置页”）。", "The passcode lock needs a secure connection: open the app at the office server's https address, then set it (see the certificate set-up page).";
    LockErased => "输错次数过多，本平板已被抹掉。", "Too many wrong tries: this tablet was erased.";
    LockLinkWaiting => "已打开一个设置链接：请先解锁，然后再确认是否使用它。", "A set-up link was opened: unlock first, then confirm whether to use it.";
}

/// The UI language, shared through context. Reading a text subscribes to the
/// language, so every label re-renders when it changes.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    pub fn new() -> I18n {
        let i18n = I18n { lang: RwSignal::new(initial_lang()) };
        // `<html lang>` follows the UI so screen readers pronounce it right.
        Effect::new(move |_| {
            let lang = i18n.lang.get();
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = root.set_attribute("lang", lang.code());
            }
        });
        i18n
    }

    pub fn t(&self, key: T) -> &'static str {
        text(key, self.lang.get())
    }

    /// The UI language now (subscribing, as `t` does).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn english(&self) -> bool {
        self.lang.get().is_english()
    }

    pub fn set(&self, lang: Lang) {
        settings::set_lang(lang);
        self.lang.set(lang);
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// What a rule of the points scheme counts, in words (the attendance screen
/// lists the scheme, the template screen edits it).
pub fn points_item(item: &xunfang_core::points::Item) -> T {
    use xunfang_core::points::Item;
    match item {
        Item::Attended(_) => T::PointsAttended,
        Item::Absent => T::PointsAbsent,
        Item::SuggestionRaised => T::PointsSuggestion,
        Item::ProposalLead => T::PointsProposalLead,
        Item::ProposalCoSigner => T::PointsCoSigner,
        Item::OpinionReport => T::PointsOpinion,
    }
}

/// The warning before a switch of team: what is on this tablet, in words
/// ("N records and M photos of team X are on this tablet; K changes are not yet sent").
pub fn switch_holding(lang: Lang, holding: &xunfang_core::team_switch::Holding, team: Option<&str>) -> String {
    let (records, photos, unsent) = (holding.records, holding.photos, holding.unsent());
    match (lang, team) {
        (Lang::Zh, Some(team)) => format!("这台平板上有团队“{team}”的 {records} 条记录和 {photos} 张照片；{unsent} 项更改尚未发送。"),
        (Lang::Zh, None) => format!("这台平板上有 {records} 条记录和 {photos} 张照片；{unsent} 项更改尚未发送。"),
        (Lang::En, Some(team)) => format!("{records} records and {photos} photos of team “{team}” are on this tablet; {unsent} changes are not yet sent."),
        (Lang::En, None) => format!("{records} records and {photos} photos are on this tablet; {unsent} changes are not yet sent."),
    }
}

/// What a set-up link would do, before anything is sent: the host it points to and what goes there.
pub fn link_holding(lang: Lang, host: &str, records: usize) -> String {
    match lang {
        Lang::Zh => format!("这个链接会把平板的同步改到 {host}。这台平板上现有 {records} 条记录。确认之前不会向它发送任何内容。"),
        Lang::En => format!("This link points the tablet's sync to {host}. This tablet holds {records} records. Nothing is sent there before you confirm."),
    }
}

/// The changes a switch could not send (nothing was erased).
pub fn switch_still_unsent(lang: Lang, unsent: usize) -> String {
    match lang {
        Lang::Zh => format!("还有 {unsent} 项更改没能发送，平板上的内容一项也没有清除。"),
        Lang::En => format!("{unsent} changes could not be sent; nothing on this tablet was erased."),
    }
}
