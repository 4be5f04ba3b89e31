"""What the demo's documents are about: military-administrative subjects, body text, directions, results.

Subjects are grouped by topic; each is a (document type abbreviation, subject) pair where "" is Công văn
(whose subject starts "V/v …"). `{year}`, `{quarter}`, `{month}`, `{unit}` and `{province}` are filled in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    subjects: tuple[tuple[str, str], ...]
    body: tuple[str, ...]
    months: tuple[int, ...] = ()  # months when the topic is in season (empty: all year)
    urgent_share: float = 0.1


TOPICS: tuple[Topic, ...] = (
    Topic("training", (
        ("KH", "Huấn luyện chiến đấu năm {next_year}"),
        ("KH", "Kiểm tra kết quả huấn luyện {half} năm {year}"),
        ("", "V/v tổ chức hội thi, hội thao quân sự năm {year}"),
        ("HD", "Huấn luyện bắn đạn thật các loại súng bộ binh năm {year}"),
        ("BC", "Kết quả huấn luyện tháng {month}/{year}"),
        ("", "V/v bảo đảm an toàn trong huấn luyện, diễn tập"),
        ("TB", "Kết luận hội nghị rút kinh nghiệm huấn luyện quý {quarter}/{year}"),
    ), (
        "Thực hiện Mệnh lệnh huấn luyện chiến đấu năm {year} của Tư lệnh Quân khu, các cơ quan, đơn vị đã "
        "triển khai huấn luyện đúng nội dung, chương trình, thời gian theo kế hoạch.",
        "Công tác bảo đảm an toàn người, vũ khí, trang bị trong huấn luyện được duy trì nghiêm; chất lượng "
        "huấn luyện phân đội và huấn luyện cán bộ có chuyển biến tích cực.",
        "Các cơ quan, đơn vị tiếp tục rà soát, bổ sung kế hoạch, bảo đảm đủ thời gian, nội dung; kết hợp "
        "huấn luyện với xây dựng chính quy, rèn luyện kỷ luật.",
    )),
    Topic("readiness", (
        ("", "V/v tăng cường công tác sẵn sàng chiến đấu dịp nghỉ lễ"),
        ("KH", "Bảo đảm sẵn sàng chiến đấu dịp Tết Nguyên đán"),
        ("CĐ", "Duy trì nghiêm chế độ trực sẵn sàng chiến đấu"),
        ("BC", "Tình hình sẵn sàng chiến đấu tháng {month}/{year}"),
        ("", "V/v kiểm tra sẵn sàng chiến đấu tại {unit}"),
        ("QĐ", "Ban hành Quy định trực chỉ huy, trực ban tác chiến"),
    ), (
        "Để chủ động xử lý kịp thời các tình huống, Bộ Tư lệnh yêu cầu các cơ quan, đơn vị duy trì nghiêm chế "
        "độ trực sẵn sàng chiến đấu, trực chỉ huy, trực ban theo quy định.",
        "Nắm chắc tình hình địa bàn, bảo đảm quân số trực, phương tiện, vũ khí trang bị luôn ở trạng thái sẵn "
        "sàng; báo cáo kịp thời mọi diễn biến bất thường về Sở chỉ huy Quân khu.",
    ), urgent_share=0.35),
    Topic("storm", (
        ("CĐ", "Chủ động ứng phó với áp thấp nhiệt đới trên Biển Đông"),
        ("", "V/v triển khai lực lượng, phương tiện ứng phó mưa lũ tại tỉnh {province}"),
        ("KH", "Phòng, chống thiên tai và tìm kiếm cứu nạn năm {year}"),
        ("BC", "Kết quả tham gia khắc phục hậu quả mưa lũ tại tỉnh {province}"),
        ("", "V/v kiểm tra công tác phòng chống lụt bão tại các đơn vị"),
        ("PA", "Sơ tán, bảo đảm an toàn doanh trại mùa mưa bão năm {year}"),
    ), (
        "Theo bản tin của Trung tâm Dự báo khí tượng thủy văn quốc gia, mưa lớn diện rộng có khả năng gây lũ, "
        "sạt lở đất tại nhiều địa phương trên địa bàn Quân khu.",
        "Các đơn vị rà soát phương án, sẵn sàng lực lượng, phương tiện giúp nhân dân sơ tán, di dời tài sản; "
        "bảo đảm an toàn tuyệt đối cho người và vũ khí, trang bị.",
        "Tổ chức trực ban nghiêm, thông tin liên lạc thông suốt; báo cáo tình hình về Bộ Tư lệnh (qua Phòng "
        "Cứu hộ - Cứu nạn) trước 16 giờ hằng ngày.",
    ), months=(6, 7, 8, 9, 10, 11), urgent_share=0.7),
    Topic("conscription", (
        ("KH", "Tuyển chọn và gọi công dân nhập ngũ năm {next_year}"),
        ("HD", "Khám sức khỏe nghĩa vụ quân sự năm {next_year}"),
        ("BC", "Kết quả giao nhận quân năm {year}"),
        ("", "V/v chuẩn bị tiếp nhận chiến sĩ mới năm {year}"),
        ("", "V/v đăng ký nghĩa vụ quân sự cho nam công dân đủ 17 tuổi"),
    ), (
        "Căn cứ Luật Nghĩa vụ quân sự và hướng dẫn của Bộ Quốc phòng, Bộ Tư lệnh Quân khu chỉ đạo các Bộ Chỉ "
        "huy Quân sự tỉnh phối hợp với địa phương làm tốt công tác tuyển chọn, gọi công dân nhập ngũ.",
        "Bảo đảm chỉ tiêu, chất lượng, công khai, dân chủ, đúng luật; các đơn vị nhận quân chuẩn bị chu đáo "
        "doanh trại, quân trang, kế hoạch huấn luyện chiến sĩ mới.",
    ), months=(1, 2, 8, 9, 10, 11, 12)),
    Topic("logistics", (
        ("", "V/v bảo đảm quân nhu quý {quarter}/{year}"),
        ("KH", "Bảo đảm hậu cần cho diễn tập khu vực phòng thủ tỉnh {province}"),
        ("BC", "Công tác hậu cần 6 tháng đầu năm {year}"),
        ("", "V/v tăng gia sản xuất, cải thiện đời sống bộ đội"),
        ("TTr", "Đề nghị cấp bổ sung xăng dầu huấn luyện năm {year}"),
        ("HD", "Quản lý, sử dụng doanh trại và tài sản công"),
    ), (
        "Thực hiện Cuộc vận động phát huy truyền thống, cống hiến tài năng, xứng danh Bộ đội Cụ Hồ, các đơn vị "
        "làm tốt công tác bảo đảm hậu cần, nâng cao đời sống vật chất, tinh thần của bộ đội.",
        "Quản lý chặt chẽ xăng dầu, quân trang, lương thực; thực hiện đúng tiêu chuẩn, định lượng; báo cáo "
        "nhu cầu bổ sung về Cục Hậu cần theo đúng thời gian quy định.",
    )),
    Topic("technical", (
        ("KH", "Tổ chức \"Tháng hành động kỹ thuật\" năm {year}"),
        ("", "V/v bảo quản, bảo dưỡng vũ khí, trang bị kỹ thuật mùa mưa"),
        ("BC", "Kết quả kiểm tra kỹ thuật các đơn vị quý {quarter}/{year}"),
        ("", "V/v đăng ký, đăng kiểm phương tiện xe máy quân sự"),
        ("HD", "Niêm cất, bảo quản vũ khí, trang bị kỹ thuật dự trữ"),
    ), (
        "Công tác kỹ thuật thời gian qua được các đơn vị quan tâm; hệ số kỹ thuật vũ khí, trang bị bảo đảm "
        "yêu cầu huấn luyện và sẵn sàng chiến đấu.",
        "Các đơn vị duy trì nghiêm chế độ bảo quản, bảo dưỡng định kỳ, ngày kỹ thuật hằng tuần; kiểm tra, "
        "sửa chữa kịp thời vũ khí, trang bị hư hỏng.",
    )),
    Topic("digital", (
        ("KH", "Chuyển đổi số trong Quân khu năm {year}"),
        ("", "V/v triển khai văn phòng điện tử và chữ ký số đến các đơn vị cấp 2"),
        ("BC", "Kết quả thực hiện chuyển đổi số quý {quarter}/{year}"),
        ("HD", "Sử dụng chữ ký số trên văn bản điện tử"),
        ("", "V/v bảo đảm an toàn thông tin trên hệ thống văn phòng điện tử"),
        ("QyĐ", "Quy định gửi, nhận văn bản điện tử trong Quân khu"),
    ), (
        "Thực hiện Nghị quyết của Quân ủy Trung ương về chuyển đổi số trong Quân đội, Bộ Tư lệnh Quân khu đẩy "
        "mạnh gửi, nhận văn bản điện tử có ký số giữa các cơ quan, đơn vị.",
        "Phấn đấu 100% văn bản đi được ký số khi phát hành; 80% đơn vị cấp 2 sử dụng văn phòng điện tử trong "
        "chỉ đạo, điều hành; bảo đảm an toàn thông tin, bảo vệ bí mật nhà nước.",
    )),
    Topic("exercise", (
        ("KH", "Diễn tập khu vực phòng thủ tỉnh {province} năm {year}"),
        ("", "V/v chuẩn bị diễn tập chỉ huy - cơ quan một bên hai cấp"),
        ("BC", "Kết quả diễn tập khu vực phòng thủ tỉnh {province}"),
        ("QĐ", "Thành lập Ban Chỉ đạo diễn tập năm {year}"),
        ("TB", "Kết luận của Tư lệnh Quân khu về diễn tập năm {year}"),
    ), (
        "Diễn tập nhằm nâng cao năng lực lãnh đạo, chỉ đạo, điều hành của cấp ủy, chính quyền và khả năng "
        "tham mưu, tổ chức thực hiện của các cơ quan, đơn vị trong xử trí các tình huống quốc phòng.",
        "Các cơ quan, đơn vị chuẩn bị đầy đủ văn kiện, lực lượng, phương tiện; bảo đảm an toàn tuyệt đối trong "
        "suốt quá trình diễn tập.",
    )),
    Topic("party", (
        ("NQ", "Lãnh đạo thực hiện nhiệm vụ quân sự, quốc phòng {half} năm {year}"),
        ("HD", "Tổ chức sinh hoạt chính trị, tư tưởng quý {quarter}/{year}"),
        ("", "V/v triển khai học tập, quán triệt nghị quyết của Đảng ủy Quân khu"),
        ("BC", "Công tác đảng, công tác chính trị tháng {month}/{year}"),
        ("KH", "Kiểm tra, giám sát của Đảng ủy Quân khu năm {year}"),
        ("", "V/v xây dựng tổ chức đảng trong sạch, vững mạnh"),
    ), (
        "Đảng ủy Quân khu yêu cầu các cấp ủy, tổ chức đảng tiếp tục nâng cao chất lượng sinh hoạt, giữ vững "
        "nguyên tắc tập trung dân chủ, tăng cường công tác kiểm tra, giám sát.",
        "Chú trọng giáo dục chính trị, tư tưởng, bảo đảm cán bộ, chiến sĩ nắm chắc nhiệm vụ, yên tâm công tác, "
        "chấp hành nghiêm kỷ luật quân đội và pháp luật Nhà nước.",
    )),
    Topic("policy", (
        ("KH", "Hoạt động kỷ niệm Ngày Thương binh - Liệt sĩ 27/7/{year}"),
        ("", "V/v thực hiện chính sách hậu phương quân đội"),
        ("", "V/v giải quyết chế độ, chính sách đối với quân nhân xuất ngũ năm {year}"),
        ("BC", "Công tác chính sách quý {quarter}/{year}"),
        ("TTr", "Đề nghị hỗ trợ xây dựng nhà đồng đội năm {year}"),
    ), (
        "Thực hiện tốt công tác chính sách đối với người có công, gia đình quân nhân có hoàn cảnh khó khăn là "
        "trách nhiệm của các cơ quan, đơn vị, thể hiện đạo lý uống nước nhớ nguồn.",
        "Các đơn vị rà soát, lập danh sách, đề nghị hỗ trợ đúng đối tượng, đúng chế độ, công khai, minh bạch.",
    ), months=(1, 2, 5, 6, 7, 8, 12)),
    Topic("discipline", (
        ("CT", "Tăng cường quản lý, rèn luyện kỷ luật, bảo đảm an toàn năm {year}"),
        ("", "V/v chấp hành nghiêm quy định an toàn giao thông"),
        ("BC", "Tình hình chấp hành kỷ luật tháng {month}/{year}"),
        ("", "V/v phòng chống tệ nạn xã hội trong quân nhân"),
        ("TB", "Kết quả xử lý vi phạm kỷ luật quý {quarter}/{year}"),
    ), (
        "Thời gian qua, tình hình chấp hành kỷ luật trong Quân khu cơ bản ổn định; tuy nhiên vẫn còn một số vụ "
        "việc vi phạm an toàn giao thông, vi phạm quy định sử dụng mạng xã hội.",
        "Các cơ quan, đơn vị tăng cường quản lý bộ đội, duy trì nghiêm chế độ ngày, tuần; kịp thời chấn chỉnh, "
        "xử lý nghiêm các trường hợp vi phạm.",
    )),
    Topic("militia", (
        ("KH", "Huấn luyện dân quân tự vệ năm {year}"),
        ("", "V/v kiện toàn tổ chức lực lượng dân quân tự vệ tỉnh {province}"),
        ("BC", "Kết quả xây dựng lực lượng dân quân tự vệ năm {year}"),
        ("HD", "Đăng ký, quản lý quân nhân dự bị năm {year}"),
    ), (
        "Lực lượng dân quân tự vệ được xây dựng vững mạnh, rộng khắp, bảo đảm số lượng, chất lượng; là lực "
        "lượng nòng cốt trong bảo vệ an ninh, trật tự và phòng chống thiên tai tại cơ sở.",
        "Các Bộ Chỉ huy Quân sự tỉnh tham mưu cho cấp ủy, chính quyền địa phương tổ chức huấn luyện đúng "
        "chương trình, bảo đảm chế độ, chính sách cho lực lượng.",
    )),
    Topic("personnel", (
        ("QĐ", "Điều động cán bộ năm {year}"),
        ("QĐ", "Bổ nhiệm chức vụ cán bộ tại {unit}"),
        ("", "V/v đề nghị thăng quân hàm sĩ quan năm {year}"),
        ("TTr", "Đề nghị cử cán bộ đi đào tạo năm {next_year}"),
        ("GGT", "Giới thiệu cán bộ đến liên hệ công tác"),
    ), (
        "Căn cứ nhu cầu công tác và đề nghị của cơ quan cán bộ, Thủ trưởng Bộ Tư lệnh quyết định điều động, "
        "bổ nhiệm cán bộ theo đúng quy trình, thẩm quyền.",
        "Các cơ quan, đơn vị có liên quan tổ chức bàn giao công việc, giải quyết chế độ theo quy định.",
    )),
    Topic("meetings", (
        ("GM", "Dự hội nghị sơ kết công tác quân sự, quốc phòng {half} năm {year}"),
        ("GM", "Dự hội nghị triển khai nhiệm vụ chuyển đổi số"),
        ("TB", "Lịch công tác của Thủ trưởng Bộ Tư lệnh tháng {month}/{year}"),
        ("BB", "Hội nghị giao ban Bộ Tư lệnh tháng {month}/{year}"),
    ), (
        "Thành phần: đại diện lãnh đạo các cơ quan Bộ Tư lệnh và các đơn vị cấp 2 trực thuộc.",
        "Đề nghị các đồng chí có mặt đúng thời gian, chuẩn bị báo cáo kết quả thực hiện nhiệm vụ theo nội "
        "dung được phân công.",
    )),
    Topic("finance", (
        ("", "V/v quyết toán ngân sách quý {quarter}/{year}"),
        ("BC", "Công khai tài chính {half} năm {year}"),
        ("HD", "Lập dự toán ngân sách bảo đảm năm {next_year}"),
    ), (
        "Các đơn vị thực hiện nghiêm chế độ quản lý tài chính, công khai, minh bạch; quyết toán đúng thời hạn, "
        "đúng mục lục ngân sách.",
    )),
)

DIRECTIONS = (
    "Giao {lead} chủ trì nghiên cứu, tham mưu đề xuất, báo cáo kết quả.",
    "Đồng ý. Giao {lead} chủ trì triển khai thực hiện; các cơ quan liên quan phối hợp.",
    "Giao {lead} tham mưu văn bản chỉ đạo các đơn vị, trình trước hạn.",
    "{lead} nắm tình hình, chỉ đạo thực hiện, báo cáo kết quả về Thủ trưởng.",
    "Chuyển {lead} thực hiện theo chức năng; lưu ý bảo đảm đúng thời gian yêu cầu.",
)
URGENT_DIRECTIONS = (
    "Khẩn. Giao {lead} triển khai ngay, báo cáo kết quả trong ngày.",
    "Hỏa tốc. {lead} chủ trì, tổ chức lực lượng sẵn sàng, báo cáo Thủ trưởng hằng ngày.",
)
RESULTS = (
    "Đã tham mưu văn bản chỉ đạo các đơn vị thực hiện.",
    "Đã triển khai thực hiện xong; kết quả báo cáo Thủ trưởng.",
    "Đã tổng hợp số liệu, báo cáo cấp trên đúng thời hạn.",
    "Đã phối hợp các cơ quan liên quan giải quyết xong.",
    "Đã kiểm tra, đôn đốc các đơn vị; không có vấn đề phát sinh.",
)
COOPERATION_RESULTS = (
    "Đã cung cấp số liệu cho cơ quan chủ trì.",
    "Đã phối hợp, góp ý vào dự thảo văn bản.",
)
REVIEW_RETURNS = (
    "Đề nghị bổ sung nội dung bảo đảm và thời gian thực hiện.",
    "Trích yếu chưa rõ; sửa lại cho đúng thể thức.",
    "Cần thống nhất số liệu với Phòng Quân lực trước khi trình.",
)
RETURN_REASONS = (
    "Văn bản gửi nhầm đơn vị; đề nghị kiểm tra lại nơi nhận.",
    "Văn bản thiếu phụ lục kèm theo; đề nghị gửi lại đủ thành phần.",
)
RECALL_REASON = "Văn bản ban hành có sai sót về số liệu; thu hồi để ban hành văn bản thay thế."


def fill(template: str, rng: random.Random, *, year: int, month: int, unit: str, province: str) -> str:
    return template.format(
        year=year, next_year=year + 1, month=month, quarter=(month - 1) // 3 + 1,
        half="6 tháng đầu" if month <= 6 else "6 tháng cuối", unit=unit, province=province,
    )


def topics_for(month: int) -> list[Topic]:
    return [t for t in TOPICS if not t.months or month in t.months]


def paragraphs(topic: Topic, *, year: int, closing: str) -> list[str]:
    return [p.format(year=year) for p in topic.body] + [closing]
