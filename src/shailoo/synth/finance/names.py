"""Names and places the world writes: parts of company names and the suppliers' trades,
Kyrgyz cities, streets and districts, foreign companies and persons, and how a person's name
reads in a statement.

Word lists in one place keep the builders short and let a test see what a name may look like.
"""

from __future__ import annotations

import random

from shailoo.register.names import transliterate

from .rows import PersonLike

WORDS_A = (
    "Ала-Тоо", "Ак-Суу", "Теңир", "Нур", "Бирлик", "Кут", "Асман", "Береке", "Алтын",
    "Жибек Жолу", "Эмгек", "Манас", "Тулпар", "Сапат", "Ынтымак", "Азия", "Восток", "Престиж",
    "Мега", "Кыргыз", "Бишкек", "Ош", "Ысык-Көл", "Нарын", "Чүй", "Талас", "Элит", "Арча",
    "Кен", "Тоо", "Сары-Ой", "Көк-Жар", "Байтик", "Айчүрөк", "Тянь-Шань", "Евразия",
    "Шелковый Путь", "Сигма", "Альфа", "Дордой", "Кара-Балта", "Сулайман", "Ак-Бата", "Мурас",
)  # fmt: skip
WORDS_B = (
    "Строй", "Транс", "Агро", "Инвест", "Сервис", "Трейд", "Групп", "Плюс", "Центр", "Альянс",
    "Капитал", "Экспорт", "Текстиль", "Фарм", "Энерго", "Логистик", "Девелопмент", "Маркет",
    "Продукт", "Тех", "Софт", "Консалт", "Ресурс", "Терминал", "Моторс", "Голд", "Минерал",
    "Сүт", "Нан", "Курулуш",
)  # fmt: skip
#: Companies of the suppliers' trades: name patterns (``{}``: a word of ``WORDS_A``).
SECTOR_NAMES: dict[str, tuple[str, ...]] = {
    "printing": ("Типография «{}»", "ОсОО «{} Принт»", "ОсОО «Полиграф {}»"),
    "media": ("ОсОО «Телерадиокомпания {}»", "ОсОО «{} Медиа»", "ОсОО «{} Жаңылыктары»"),
    "advertising": ("ОсОО «Рекламное агентство {}»", "ОсОО «{} Билборд»", "ОсОО «{} Реклама»"),
    "campaign_services": ("ОсОО «{} Консалтинг»", "ОсОО «{} Ивент»", "ОсОО «Агитатор {}»"),
    "rent": ("ОсОО «Бизнес-центр {}»", "ОсОО «{} Недвижимость»"),
    "transport": ("ОсОО «{} Авто»", "ОсОО «{} Такси»", "ОсОО «{} Транс Сервис»"),
    "other": ("ОсОО «{} Телеком»", "ОсОО «{} Канцтовары»"),
}
_CITIES = (
    ("Бишкек", 55), ("Ош", 10), ("Жалал-Абад", 5), ("Каракол", 4), ("Токмок", 4),
    ("Кара-Балта", 4), ("Нарын", 3), ("Талас", 3), ("Баткен", 2), ("Кант", 3),
    ("Балыкчы", 3), ("Өзгөн", 2), ("Кара-Суу", 2),
)  # fmt: skip
_STREETS = (
    "Чүй", "Манас", "Киевская", "Токтогул", "Ахунбаев", "Исанов", "Московская", "Горький",
    "Жибек Жолу", "Абдрахманов", "Ибраимов", "Боконбаев", "Фрунзе", "Панфилов", "Тыныстанов",
    "Курманжан Датка", "Ленин", "Советская", "Масалиев", "Айтматов", "Байтик Баатыр",
    "Ч. Валиханов", "Л. Толстой", "Бейшеналиева", "Суюмбаев",
)  # fmt: skip
DISTRICTS = (
    "Аламүдүн", "Сокулук", "Жайыл", "Ысык-Ата", "Кемин", "Чүй", "Москва", "Панфилов",
    "Ак-Талаа", "Кочкор", "Жумгал", "Ат-Башы", "Тоң", "Түп", "Ак-Суу", "Жети-Өгүз",
    "Кара-Кулжа", "Өзгөн", "Араван", "Ноокат", "Кара-Суу", "Алай", "Сузак", "Базар-Коргон",
    "Ноокен", "Аксы", "Ала-Бука", "Токтогул", "Чаткал", "Баткен", "Лейлек", "Кадамжай",
    "Бакай-Ата", "Кара-Буура", "Манас", "Талас",
)  # fmt: skip
_Foreign = tuple[str, int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
#: Foreign companies: country, weight, legal forms, names, addresses.
FOREIGN_COMPANIES: tuple[_Foreign, ...] = (
    ("RU", 30, ("ООО «{}»", "АО «{}»"),
     ("Волга Трейд", "Сибирь Инвест", "Северный Альянс", "Уральский Металл", "Балтика Логистик",
      "Восток Капитал", "Регион Медиа", "Таймыр Ресурс"),
     ("Москва, ул. Тверская, д. {}", "Новосибирск, Красный пр., д. {}",
      "Екатеринбург, ул. Малышева, д. {}")),
    ("KZ", 18, ("ТОО «{}»",),
     ("Дала Трейд", "Алатау Инвест", "Жетысу Логистик", "Сарыарка Групп", "Каспий Ресурс"),
     ("Алматы, пр. Абая, {}", "Астана, ул. Кенесары, {}")),
    ("CN", 14, ("{} Trading Co., Ltd.", "{} Industrial Co., Ltd."),
     ("Kashgar Star", "Golden Dragon", "Tianshan Bridge", "Great Wall Silk", "Eastern Jade"),
     ("Urumqi, Renmin Road {}", "Shanghai, Nanjing Road {}")),
    ("TR", 10, ("{} Ticaret A.Ş.", "{} Yatırım A.Ş."),
     ("Anadolu", "Ege Deniz", "Marmara", "Toros", "Kapadokya"),
     ("İstanbul, Büyükdere Cd. {}", "Ankara, Atatürk Blv. {}")),
    ("DE", 6, ("{} GmbH", "{} Holding GmbH"),
     ("Rhein Logistik", "Alpen Handel", "Nordlicht", "Hansa Invest"),
     ("Berlin, Friedrichstraße {}", "Hamburg, Jungfernstieg {}")),
    ("US", 6, ("{} Holdings Inc.", "{} Group LLC"),
     ("Pinecrest", "Bay Lake", "Silverline", "Redwood"),
     ("New York, {} Fifth Avenue", "Wilmington, {} Market Street")),
    ("GB", 5, ("{} Ltd", "{} Capital Ltd"),
     ("Thames", "Kingsbridge", "Oakmont"),
     ("London, {} King Street",)),
    ("CY", 6, ("{} Investments Ltd",),
     ("Limassol Crest", "Aphrodite", "Troodos", "Kyrenia Bay"),
     ("Limassol, {} Makariou Avenue",)),
    ("AE", 5, ("{} FZE", "{} Trading FZCO"),
     ("Gulf Pearl", "Desert Falcon", "Palm Crest"),
     ("Dubai, Sheikh Zayed Road {}",)),
)  # fmt: skip
FOREIGN_PEOPLE: dict[str, tuple[str, ...]] = {
    "CN": ("Wang Wei", "Li Na", "Zhang Lei", "Liu Yang", "Chen Jie"),
    "TR": ("Mehmet Yılmaz", "Ayşe Kaya", "Mustafa Demir", "Emre Şahin"),
    "DE": ("Klaus Becker", "Anna Schmidt", "Jürgen Wolf", "Petra Hoffmann"),
    "US": ("John Miller", "Emily Carter", "Robert Hayes"),
    "GB": ("Oliver Bennett", "Charlotte Hughes", "Henry Walsh"),
    "CY": ("Andreas Georgiou", "Maria Christodoulou"),
    "AE": ("Ahmed Al Mansouri", "Khalid Al Nuaimi"),
}


#: Surnames no name pool has: a donor under one of them is nobody of the register.
NOBODY_SURNAMES = ("Жылкычиев", "Сүйүнтбеков", "Курманкожоев", "Эсенаманов", "Тойчубеков")
EMBASSY_STATES = ("Российской Федерации", "Республики Казахстан", "Турецкой Республики")


def full_name(p: PersonLike) -> str:
    return " ".join(part for part in (p.surname, p.given_name, p.patronymic) if part)


def latin_name(p: PersonLike) -> str:
    """The name as a foreign passport or a bank card writes it: SURNAME GIVEN, Latin."""
    return f"{transliterate(p.surname)} {transliterate(p.given_name)}".upper()


_CITY_NAMES = tuple(name for name, _ in _CITIES)
_CITY_WEIGHTS = tuple(weight for _, weight in _CITIES)


def draw_city(rng: random.Random) -> str:
    return rng.choices(_CITY_NAMES, _CITY_WEIGHTS)[0]


def office_address(rng: random.Random, city: str | None = None) -> str:
    street = rng.choice(_STREETS)
    place = city or draw_city(rng)
    return f"г. {place}, ул. {street}, д. {rng.randint(1, 220)}, оф. {rng.randint(1, 400)}"
