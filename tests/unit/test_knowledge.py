"""The five notices, as loaded: what the assistant may state about them."""

from sqlalchemy import func, select

from services.knowledge import KnowledgeLoader
from services.models import Activity, Milestone, Organisation, SourceDocument


def test_2018_notice_four_activities_three_phases_and_themes(corpus_services):
    activities = corpus_services.activities
    programme = activities.resolve("2018年上海市群众性质量管理活动").unique
    details = activities.details(programme.id)
    assert [m.name for m in details.milestones][:3] == ["宣传动员", "活动开展", "成果推广"]
    assert [m.when for m in details.milestones] == ["2018年8月至9月", "2018年9月至12月", "2018年12月至2019年2月"]
    children = {c.name for c in details.children}
    assert {"2018年上海市优秀质量管理小组活动", "2018年上海市质量信得过班组活动",
            "2018年上海质量品牌故事比赛活动", "培育塑造上海市用户满意服务明星"} <= children
    qc = activities.details(activities.resolve("2018年上海市优秀质量管理小组活动").unique.id)
    assert qc.theme == "传承QC精神、激发参与热情、助力质量提升"
    assert set(qc.organisers) >= {"上海市质量协会", "上海市总工会", "共青团上海市委员会", "上海市妇女联合会"}
    assert qc.source.cite() == "《关于开展2018年上海市群众性质量管理活动的通知》（2018年9月7日）"


def test_every_contact_block_of_the_2018_notice(corpus_services):
    contacts = corpus_services.contacts
    shqa = contacts.contact("上海市质量协会")
    assert (shqa.address, shqa.postcode, shqa.phones, shqa.fax, shqa.contact_persons) == (
        "长宁区泰安路74号", "200052", ("18917186600", "18917185269"), "52588281", ("周秀慧", "徐俊杰"))
    union = contacts.contact("上海市总工会")
    assert (union.address, union.postcode, union.phones, union.fax, union.contact_persons) == (
        "中山东一路14号", "200002", ("63295035",), "63295035", ("竺敏",))
    league = contacts.resolve("团市委").unique
    assert (league.address, league.postcode, league.phones, league.fax) == (
        "东湖路17号", "200031", ("61690122",), "60827379")
    women = contacts.resolve("市妇联").unique
    assert women.phones == ("64330001*6303",) and women.contact_persons == ("邵浙军",)


def test_all_twenty_quality_month_items_with_responsible_units(corpus_services):
    month = corpus_services.activities.quality_month(2021)
    assert month.theme == "推动数字化转型，实现高质量发展"
    assert month.summary.span.describe() == "2021年9月"
    assert len(month.children) == 20
    for child in month.children:
        details = corpus_services.activities.details(child.id)
        assert details.responsible_units or details.organisers, child.name
    recall = corpus_services.activities.resolve("加强缺陷消费品召回监管").unique
    assert "上海市市场监督管理局" in corpus_services.activities.details(recall.id).responsible_units


def test_world_quality_forum_of_2019(corpus_services):
    forum = corpus_services.activities.resolve("第三届世界质量论坛").unique
    details = corpus_services.activities.details(forum.id)
    assert details.summary.span.describe() == "2019年12月5日至6日"
    assert details.theme == "质量的未来思维模式"


def test_2020_work_points_have_their_responsible_units(corpus_services):
    found = corpus_services.activities.list_activities(year=2020)
    assert len(found) >= 20
    open_day = corpus_services.activities.resolve("质量开放日", 2020).matches
    assert open_day


def test_no_traditional_script_or_pinyin_left(corpus_services):
    with corpus_services.session_factory() as session:
        texts = session.scalars(select(SourceDocument.text)).all()
        names = session.scalars(select(Activity.name)).all()
    joined = "".join([*texts, *names])
    for leftover in ("質", "發", "(fā)", "會", "動"):
        assert leftover not in joined


def test_loading_twice_changes_nothing(corpus_services):
    def counts():
        with corpus_services.session_factory() as session:
            return tuple(session.scalar(select(func.count()).select_from(table))
                         for table in (Activity, Milestone, Organisation, SourceDocument))

    before = counts()
    report = KnowledgeLoader(corpus_services.session_factory).load_dir(
        corpus_services.settings.knowledge_dir)
    assert report.loaded == [] and len(report.unchanged) == 5
    assert counts() == before


def test_a_corrected_notice_updates_in_place(corpus_services, knowledge_copy):
    path = knowledge_copy / "2019-shqa-work-priorities.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("质量的未来思维模式", "质量的未来"),
                    encoding="utf-8")
    forum_id = corpus_services.activities.resolve("第三届世界质量论坛").unique.id
    report = KnowledgeLoader(corpus_services.session_factory).load_dir(knowledge_copy)
    assert report.loaded == ["2019-shqa-work-priorities.yml"]
    assert corpus_services.activities.details(forum_id).theme == "质量的未来"


def test_a_sentence_naming_part_of_one_activity_finds_it(corpus_services):
    activities = corpus_services.activities
    recall = activities.resolve("消费品召回那项工作是谁负责", None, False).matches
    assert [a.name for a in recall] == ["加强缺陷消费品召回监管"]
    # A piece shared by many names (质量管理) names none of them; nor does small talk.
    assert not activities.resolve("质量管理体系怎么建立", None, False).matches
    assert not activities.resolve("明天天气怎么样", None, False).matches
