//! Every user-visible string, in Chinese (default) and English, in one table.
//!
//! A missing translation is a compile error: each key names both texts. Labels
//! of activity kinds and roles are data (the template), not listed here.

use crate::settings;
use leptos::prelude::*;
use xunfang_core::validate::Problem;
use xunfang_core::SuggestionStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 code for `<html lang>` and for the stored setting.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn is_english(self) -> bool {
        self == Lang::En
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The stored choice; else English when the browser asks for English
    /// first; else Chinese.
    pub fn initial() -> Lang {
        settings::lang().unwrap_or_else(|| {
            let browser = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
            if Lang::from_code(&browser) == Some(Lang::En) {
                Lang::En
            } else {
                Lang::Zh
            }
        })
    }
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
    Attended => "出席", "Attended";
    Excused => "请假", "Excused";
    Absent => "缺席", "Absent";
    Reason => "请假事由", "Reason for absence";
    RemoveParticipant => "移出", "Remove";
    UnknownPerson => "（名册中已删除的人员）", "(person removed from the roster)";
    OtherAttendees => "其他参加人数（不在名册中）", "Other attendees (not on the roster)";
    PersonTimes => "人次", "Person-times";
    Notes => "内容", "Notes";
    Findings => "发现问题", "Findings";
    Suggestions => "意见建议", "Suggestions";
    AddSuggestion => "添加一条建议", "Add a suggestion";
    SuggestionN => "建议", "Suggestion";
    SuggestionContent => "建议内容", "Suggestion";
    RaisedBy => "提出人", "Raised by";
    Department => "承办部门", "For department";
    SuggestionStatus => "办理状态", "Status";
    Reply => "答复内容", "Reply";
    ReplyDate => "答复日期", "Reply date";
    RemoveSuggestion => "删除这条建议", "Remove this suggestion";
    StatusCollected => "新收集", "Collected";
    StatusForwarded => "已转交", "Forwarded";
    StatusInProgress => "办理中", "In progress";
    StatusResolved => "已办结", "Resolved";
    StatusAnswered => "已答复", "Answered";
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
    ProblemKindMissing => "请选择活动类型。", "Choose the kind of activity.";
    ProblemKindUnknown => "这个活动类型不在当前模板里，请重新选择。", "This kind is not in the current template; choose another.";
    ProblemTitleMissing => "请填写标题。", "Enter a title.";
    ProblemDateMissing => "请填写日期。", "Enter the date.";
    ProblemEndBeforeStart => "结束时间不能早于开始时间。", "The end time cannot be before the start time.";
    ProblemExcuseWithoutReason => "请假人员需要填写请假事由。", "Give a reason for each excused person.";
    ProblemSuggestionEmpty => "建议内容不能为空。", "A suggestion needs its content.";
    ProblemNameMissing => "请填写姓名。", "Enter a name.";
    ErrQuota => "本机存储空间已满，刚才的修改没有保存。文字仍在屏幕上，请不要关闭页面：先清理浏览器存储或删除不需要的数据，再继续编辑即可重试保存。", "This device's storage is full, so your last change was not saved. The text is still on screen; don't close the page. Free some browser storage, then keep editing to retry.";
    ErrUnavailable => "无法打开本机数据库（可能是无痕模式，或浏览器禁止了存储）。请用普通窗口打开本应用。", "The local database cannot be opened (private browsing, or storage blocked by the browser). Open the app in a normal window.";
    ErrUnreadable => "有一份数据无法读取，已原样保留。", "A stored item could not be read; it was kept as it is.";
    ErrFailed => "保存失败，修改仍在屏幕上，继续编辑时会自动重试。", "Saving failed. Your change is still on screen and is retried as you keep editing.";
    ErrDetails => "浏览器报告：", "The browser said: ";
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
    TrashIntro => "删除的记录和人员先放在这里，可以恢复。", "Deleted records and people stay here and can be restored.";
    TrashEmpty => "回收站是空的。", "The trash is empty.";
    TrashRecords => "活动记录", "Records";
    TrashPeople => "人员", "People";
    SettingsTitle => "设置", "Settings";
    Language => "界面语言", "Language";
    DeviceId => "本设备编号", "This device's id";
    DataHere => "所有记录都保存在本机浏览器中，没有网络也能使用。", "Every record is kept in this browser on this device and works without a network.";
    PageNotFound => "没有这个页面。", "There is no such page.";
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
    StorageNearlyFull => "存储空间快用完了（超过 80%）。请清空回收站中不需要的记录，或在浏览器设置中清理其他网站的数据。", "Storage is nearly full (over 80%). Empty unneeded records from the trash, or clear other websites' data in the browser settings.";
    Version => "版本", "Version";
    SyncTitle => "同步", "Sync";
    SyncMode => "同步方式", "Sync mode";
    SyncModeNative => "巡访服务器（推荐）", "Xunfang server (recommended)";
    SyncModeRest => "通用 REST 接口（JSON 集合）", "Plain REST collection (JSON)";
    SyncModePushOnly => "只上传（接收端不返回数据）", "Push only (endpoint only accepts data)";
    SyncEndpoint => "服务器地址", "Server address";
    SyncToken => "访问令牌", "Access token";
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
    SyncSent => "已发送", "Sent";
    SyncRetryIn => "分钟后自动重试", "min until the next try";
    SyncErrOffline => "无法连接服务器（没有网络或服务器未开）", "No connection to the server (no network, or the server is off)";
    SyncErrToken => "服务器拒绝了访问令牌，请向办公室索取新的设置链接", "The server refused the token: ask the office for a new set-up link";
    SyncErrServer => "服务器出错", "The server failed";
    SyncErrRefused => "服务器拒绝了请求", "The server refused the request";
    SyncErrBadResponse => "服务器的回答无法读取（地址是否正确？）", "The server's answer could not be read (is the address right?)";
    SyncErrStore => "本机存储出错", "Local storage failed";
    SyncErrInterrupted => "同步已停止，下次从中断处继续", "Sync stopped; the next one continues where it left off";
    SyncRejected => "条记录被服务器拒绝：", "records were refused by the server:";
    SyncSetupLink => "平板设置链接：在平板上打开此链接（或扫描二维码），即可自动填好同步设置。", "Tablet set-up link: open it on a tablet (or scan the QR code) to fill in the sync settings.";
    SyncSetupConfirm => "使用这个链接中的同步设置？", "Use the sync settings from this link?";
    SyncSetupUse => "使用这些设置", "Use these settings";
    SyncSetupDone => "同步设置已保存。", "Sync settings saved.";
    SyncSaved => "已保存，正在同步。", "Saved; syncing now.";
    ConflictIntro => "此记录在其他设备上也被修改过：", "This record was also edited on another device:";
    ConflictAlso => "也在设备", "Also edited on device";
    ConflictAt => "于", "at";
    ConflictUse => "使用这个", "Use this";
    ConflictRemoved => "（已删除）", "(removed)";
    OfflineUse => "离线使用：在办公室联网时打开一次本应用，之后没有网络也能打开和使用。", "Offline use: open the app once while online at the office; after that it opens and works with no network.";
}

impl T {
    pub fn problem(p: Problem) -> T {
        match p {
            Problem::KindMissing => T::ProblemKindMissing,
            Problem::KindUnknown => T::ProblemKindUnknown,
            Problem::TitleMissing => T::ProblemTitleMissing,
            Problem::DateMissing => T::ProblemDateMissing,
            Problem::EndBeforeStart => T::ProblemEndBeforeStart,
            Problem::ExcuseWithoutReason => T::ProblemExcuseWithoutReason,
            Problem::SuggestionEmpty => T::ProblemSuggestionEmpty,
            Problem::NameMissing => T::ProblemNameMissing,
        }
    }

    pub fn status(s: SuggestionStatus) -> T {
        match s {
            SuggestionStatus::Collected => T::StatusCollected,
            SuggestionStatus::Forwarded => T::StatusForwarded,
            SuggestionStatus::InProgress => T::StatusInProgress,
            SuggestionStatus::Resolved => T::StatusResolved,
            SuggestionStatus::Answered => T::StatusAnswered,
        }
    }

    pub fn attendance(a: xunfang_core::Attendance) -> T {
        match a {
            xunfang_core::Attendance::Attended => T::Attended,
            xunfang_core::Attendance::Excused => T::Excused,
            xunfang_core::Attendance::Absent => T::Absent,
        }
    }

    pub fn store_error(kind: crate::storage::StoreErrorKind) -> T {
        use crate::storage::StoreErrorKind::*;
        match kind {
            Quota => T::ErrQuota,
            Unavailable => T::ErrUnavailable,
            Unreadable => T::ErrUnreadable,
            Failed => T::ErrFailed,
        }
    }
}

/// The UI language, shared through context. Reading a text subscribes to the
/// language, so every label re-renders when it changes.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    pub fn new() -> I18n {
        let i18n = I18n { lang: RwSignal::new(Lang::initial()) };
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
