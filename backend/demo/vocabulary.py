"""Words and shapes the demo platform is made of: categories with their tags and vocabulary,
title and text templates, names, time zones, daily activity curves and dwell times."""

from __future__ import annotations

import numpy as np

from backend.content.models import ContentType

# fmt: off
# Per category: share of attention, mix of types, how much of a weekend interest it is, and
# when in the day it is read ("hours": night, morning, day, evening, as in HOUR_BAND).
CATEGORIES: list[dict] = [
    {
        "name": "Cooking", "pop": 0.12, "types": (0.35, 0.4, 0.2, 0.05), "weekend": 0.8,
        "hours": (0.6, 0.8, 0.9, 1.7),
        "tags": [
            "recipes", "baking", "vegan", "street-food", "meal-prep", "pasta", "fermentation",
            "bbq", "desserts", "knife-skills",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "sourdough", "ramen", "pastry", "curry", "fresh pasta", "slow cooking", "brunch",
            "street food", "kimchi", "miso", "fried rice", "meal planning",
        ],
        "plural": [
            "weeknight dinners", "dumplings", "knife skills", "spice blends", "pantry staples",
            "cast-iron pans", "homemade noodles", "tacos",
        ],
        "adjs": [
            "crispy", "comforting", "one-pan", "seasonal", "smoky", "foolproof", "rustic", "zesty",
        ],
    },
    {
        "name": "Travel", "pop": 0.1, "types": (0.3, 0.35, 0.3, 0.05), "weekend": 0.9,
        "hours": (0.8, 1.0, 0.9, 1.3),
        "tags": [
            "backpacking", "city-guides", "road-trips", "hiking", "islands", "rail-travel",
            "van-life", "food-travel", "solo-travel", "travel-hacks",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "Lisbon", "Patagonia", "Kyoto", "carry-on packing", "Marrakech", "island hopping",
            "Iceland", "Tbilisi", "overlanding", "city walking",
        ],
        "plural": [
            "night trains", "hidden beaches", "road trips", "mountain huts", "the Dolomites",
            "hostels", "Hanoi street markets", "the Scottish Highlands", "ferry routes",
            "travel insurance plans",
        ],
        "adjs": [
            "off-the-beaten-path", "slow", "budget", "weekend", "unforgettable", "local", "scenic",
            "last-minute",
        ],
    },
    {
        "name": "Music", "pop": 0.11, "types": (0.1, 0.35, 0.05, 0.5), "weekend": 0.7,
        "hours": (1.5, 0.9, 0.8, 1.2),
        "tags": [
            "guitar", "synths", "music-production", "jazz", "indie", "hip-hop", "classical",
            "vinyl", "live-sessions", "songwriting",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "mixing vocals", "songwriting", "live looping", "ear training", "fingerstyle",
            "music theory", "home recording", "jazz piano", "sound design", "modular synthesis",
        ],
        "plural": [
            "chord progressions", "analog synths", "jazz standards", "home studios",
            "drum grooves", "vinyl records", "bass lines", "film scores", "lo-fi beats",
            "guitar pedals",
        ],
        "adjs": [
            "groovy", "lush", "minimal", "soulful", "raw", "cinematic", "warm", "punchy",
        ],
    },
    {
        "name": "Tech", "pop": 0.11, "types": (0.5, 0.35, 0.05, 0.1), "weekend": 0.3,
        "hours": (0.8, 1.3, 1.4, 0.8),
        "tags": [
            "programming", "python", "web-dev", "ai", "gadgets", "linux", "open-source",
            "security", "smart-home", "cloud",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "Python tooling", "Rust", "smart home automation", "web performance", "API design",
            "self-hosting", "code review", "WebAssembly", "dark mode", "open-source funding",
        ],
        "plural": [
            "type systems", "home servers", "mechanical keyboards", "large language models",
            "databases", "Linux desktops", "password managers", "GPUs", "static sites",
            "browser extensions",
        ],
        "adjs": [
            "practical", "fast", "open-source", "pragmatic", "modern", "secure", "tiny",
            "scalable",
        ],
    },
    {
        "name": "Fitness", "pop": 0.09, "types": (0.25, 0.55, 0.1, 0.1), "weekend": 0.6,
        "hours": (0.5, 1.8, 0.9, 0.9),
        "tags": [
            "running", "strength-training", "yoga", "mobility", "cycling", "hiit", "nutrition",
            "marathon", "home-workouts", "recovery",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "marathon training", "morning yoga", "zone 2 cardio", "protein", "trail running",
            "stretching", "core strength", "sleep", "rowing", "grip strength",
        ],
        "plural": [
            "kettlebells", "mobility drills", "deadlifts", "recovery days", "pull-ups",
            "cycling intervals", "running shoes", "rest days", "push-ups", "resistance bands",
        ],
        "adjs": [
            "sustainable", "intense", "beginner-friendly", "20-minute", "science-backed",
            "no-equipment", "gentle", "explosive",
        ],
    },
    {
        "name": "Gaming", "pop": 0.1, "types": (0.2, 0.6, 0.1, 0.1), "weekend": 1.0,
        "hours": (1.8, 0.5, 0.7, 1.4),
        "tags": [
            "indie-games", "rpg", "speedrunning", "retro-gaming", "esports", "strategy",
            "game-dev", "board-games", "nintendo", "open-world",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "pixel art", "level design", "modding", "game preservation", "couch co-op",
            "speedrunning", "chess", "tabletop role-play", "game balance", "fan translation",
        ],
        "plural": [
            "speedruns", "indie roguelikes", "retro consoles", "open-world RPGs", "deck builders",
            "esports finals", "board game nights", "boss fights", "co-op games",
            "game soundtracks", "strategy games",
        ],
        "adjs": [
            "underrated", "cozy", "brutal", "legendary", "addictive", "hidden-gem", "nostalgic",
            "competitive",
        ],
    },
    {
        "name": "Art & Design", "pop": 0.07, "types": (0.15, 0.2, 0.6, 0.05), "weekend": 0.7,
        "hours": (1.1, 0.8, 1.0, 1.1),
        "tags": [
            "illustration", "watercolor", "typography", "ui-design", "sketching", "ceramics",
            "digital-art", "color-theory", "architecture", "printmaking",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "typography", "logo design", "pottery", "figure drawing", "UI design",
            "digital painting", "poster design", "hand lettering", "gouache", "bookbinding",
        ],
        "plural": [
            "watercolour landscapes", "sketchbooks", "colour palettes", "linocuts",
            "brutalist buildings", "studio spaces", "design systems", "zines", "ink drawings",
            "murals",
        ],
        "adjs": [
            "bold", "delicate", "minimalist", "vibrant", "hand-made", "geometric", "playful",
            "moody",
        ],
    },
    {
        "name": "Science", "pop": 0.06, "types": (0.45, 0.3, 0.1, 0.15), "weekend": 0.4,
        "hours": (0.9, 1.2, 1.2, 0.9),
        "tags": [
            "space", "physics", "biology", "climate", "neuroscience", "chemistry", "astronomy",
            "math", "ecology", "genetics",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "the James Webb telescope", "CRISPR", "memory", "quantum computing", "evolution",
            "dark matter", "particle physics", "plate tectonics", "the immune system",
            "radiocarbon dating",
        ],
        "plural": [
            "black holes", "climate models", "exoplanets", "ocean currents", "prime numbers",
            "vaccines", "fungal networks", "gravitational waves", "coral reefs",
            "dinosaur feathers",
        ],
        "adjs": [
            "mind-bending", "surprising", "fundamental", "cutting-edge", "curious", "elegant",
            "overlooked", "strange",
        ],
    },
    {
        "name": "Fashion", "pop": 0.07, "types": (0.2, 0.3, 0.45, 0.05), "weekend": 0.8,
        "hours": (0.9, 1.1, 0.9, 1.1),
        "tags": [
            "streetwear", "vintage", "capsule-wardrobe", "sneakers", "sewing", "skincare",
            "thrifting", "outfit-ideas", "accessories", "runway",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "vintage denim", "tailoring", "layering", "knitwear", "street style", "mending",
            "upcycling", "workwear", "linen", "colour matching",
        ],
        "plural": [
            "capsule wardrobes", "sneakers", "thrift hauls", "linen shirts", "skincare routines",
            "runway trends", "sewing patterns", "rain jackets", "leather boots", "wool coats",
        ],
        "adjs": [
            "timeless", "effortless", "oversized", "sustainable", "tailored", "statement",
            "affordable", "classic",
        ],
    },
    {
        "name": "Personal Finance", "pop": 0.05, "types": (0.5, 0.2, 0.05, 0.25), "weekend": 0.4,
        "hours": (0.6, 1.5, 1.3, 0.8),
        "tags": [
            "investing", "budgeting", "saving", "index-funds", "retirement", "side-hustles",
            "taxes", "real-estate", "frugal-living", "crypto",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "compound interest", "frugal living", "financial independence", "salary negotiation",
            "debt repayment", "pension planning", "budgeting", "insurance", "home buying",
            "tax planning",
        ],
        "plural": [
            "index funds", "emergency funds", "budgeting apps", "retirement accounts",
            "side hustles", "mortgages", "tax returns", "rental properties", "credit scores",
            "dividends",
        ],
        "adjs": [
            "boring-but-effective", "simple", "long-term", "realistic", "smart", "stress-free",
            "honest", "step-by-step",
        ],
    },
    {
        "name": "Photography", "pop": 0.06, "types": (0.15, 0.15, 0.65, 0.05), "weekend": 0.8,
        "hours": (1.0, 0.9, 1.0, 1.1),
        "tags": [
            "street-photography", "portraits", "film-photography", "landscapes", "lightroom",
            "wildlife", "astrophotography", "composition", "lenses", "drones",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "golden hour", "35mm film", "the Milky Way", "wildlife", "composition",
            "black and white", "street photography", "flash", "colour grading", "medium format",
        ],
        "plural": [
            "street portraits", "long exposures", "prime lenses", "Lightroom presets",
            "drone shots", "city nights", "macro shots", "camera bags", "contact sheets",
            "film cameras",
        ],
        "adjs": [
            "cinematic", "candid", "dreamy", "sharp", "grainy", "dramatic", "quiet", "luminous",
        ],
    },
    {
        "name": "Books", "pop": 0.06, "types": (0.55, 0.1, 0.05, 0.3), "weekend": 0.7,
        "hours": (1.3, 0.7, 0.8, 1.3),
        "tags": [
            "fiction", "sci-fi", "fantasy", "poetry", "book-reviews", "classics", "non-fiction",
            "writing", "mystery", "book-club",
        ],
        # Singular or mass nouns ("... matters"), then plural ones ("... matter").
        "nouns": [
            "science fiction", "epic fantasy", "modern poetry", "world-building",
            "translated fiction", "slow reading", "audiobook narration", "literary criticism",
            "flash fiction", "autofiction",
        ],
        "plural": [
            "Russian classics", "crime novels", "memoirs", "short stories", "reading habits",
            "book clubs", "graphic novels", "first drafts", "literary prizes", "used bookshops",
        ],
        "adjs": [
            "gripping", "beautiful", "forgotten", "sprawling", "quiet", "unsettling",
            "life-changing", "witty",
        ],
    },
]
CROSS_TAGS = [
    "beginner", "advanced", "tutorial", "review", "how-to", "deep-dive", "quick-tips",
    "behind-the-scenes", "budget", "diy", "interview", "news", "opinion", "series", "live", "vlog",
    "listicle", "guide", "weekend-project", "trending", "minimalism", "sustainability",
    "family-friendly", "productivity", "history", "story", "q-and-a", "challenge", "collaboration",
    "explainer",
]
# Titles, sentence case. Placeholders: {noun}/{Noun} (capitalised), {noun2} (another noun of
# the category), {adj}, {a_adj}/{A_adj} (with "a" or "an"), {n} (a number), and the verb
# forms that agree with {noun}: {s} ("matter{s}"), {is}/{Is}, {has}. Every title names a
# {noun}, so titles of different categories never meet (their nouns are disjoint).
TITLE_TEMPLATES = [
    "{n} {adj} ideas for {noun}",
    "The {adj} guide to {noun}",
    "{Noun}: what nobody tells you",
    "Why {noun} matter{s} more than you think",
    "{A_adj} look at {noun}",
    "{n} mistakes to avoid with {noun}",
    "My {adj} approach to {noun}",
    "{Noun} for beginners: where to start",
    "Inside the world of {noun}",
    "{Noun} vs {noun2}: an honest comparison",
    "What {noun} taught me about {noun2}",
    "The {adj} side of {noun}",
    "Everything I know about {noun}, in {n} steps",
    "From {noun} to {noun2}",
    "{Noun}, explained",
    "{Noun} {is} having a moment",
    "{Is} {noun} worth the hype?",
    "{n} things I wish I knew about {noun}",
    "A love letter to {noun}",
    "Rethinking {noun}",
    "{Noun} and {noun2}, side by side",
    "How to get started with {noun}",
    "The case for {noun}",
    "{Noun} on a budget",
    "Notes on {noun}",
    "{n} {adj} lessons from {noun}",
    "A beginner's guide to {noun}",
    "What I got wrong about {noun}",
    "The quiet joy of {noun}",
    "{Noun}: {n} questions answered",
    "Where {noun} {is} heading next",
    "{Noun} {has} changed, and so have I",
    "Getting better at {noun} with {noun2}",
]
# Shown before some titles of a type, e.g. "Watch: From ramen to dumplings".
TYPE_TITLE_PREFIX = {
    ContentType.BLOG: ["", "", "", "Essay: "],
    ContentType.VIDEO: ["", "", "Watch: ", "Vlog: "],
    ContentType.IMAGE: ["Photo set: ", "Gallery: ", "", "In pictures: "],
    ContentType.AUDIO: ["Podcast: ", "", "", "Listen: "],
}
TYPE_WORD = {
    ContentType.BLOG: "post",
    ContentType.VIDEO: "video",
    ContentType.IMAGE: "photo series",
    ContentType.AUDIO: "episode",
}
EXCERPT_TEMPLATES = [
    "{A_adj} {kind} about {noun}, with notes on {noun2} and plenty of {tag}.",
    "Everything you need to know about {noun}, from the basics to {noun2}.",
    "In this {kind} I share what works for {noun}: {adj}, honest and tested.",
    "{Noun} and {noun2}, explained without the jargon.",
    "{A_adj} take on {noun}. Come for the {tag}, stay for the {noun2}.",
]
BODY_SENTENCES = [
    "This {kind} started with a simple question about {noun}.",
    "Most people get {noun} wrong because they skip the basics.",
    "The trick with {noun} is to keep it {adj} and to be patient.",
    "I spent months on {noun} before it finally clicked.",
    "If you only remember one thing about {noun2}, make it this.",
    "Here is {a_adj} routine for {noun} you can start this weekend.",
    "We also compare {noun} with {noun2} and look at the trade-offs.",
    "Readers keep asking about {tag}, so there is a section on it below.",
    "The {adj} details are what make {noun} worth the effort.",
    "Next time we will go deeper into {noun2}.",
    "Thanks to everyone who sent questions about {noun} and {tag}.",
    "Below you will find the tools, the costs and the mistakes to avoid with {noun}.",
]
# People's names. Every account gets a distinct "first last" pair. No first name ends
# another one and no last name starts another one ("Ana" and "Hana", "Kim" and "Kimura"),
# so no full name is found inside another, whatever the case.
FIRST_NAMES = [
    "Maya", "Liam", "Noah", "Emma", "Olivia", "Aisha", "Kenji", "Sofia", "Lucas", "Amara",
    "Mateo", "Zoe", "Ivan", "Priya", "Chen", "Fatima", "Hugo", "Linnea", "Omar", "Yuki", "Elena",
    "Jonas", "Nadia", "Tariq", "Ines", "Felix", "Hana", "Diego", "Clara", "Ravi", "Sara", "Leo",
    "Mila", "Kofi", "Theo", "Nora", "Arjun", "Eva", "Samir", "Astrid", "Bruno", "Camille",
    "Dmitri", "Esme", "Farah", "Gustavo", "Helga", "Isaac", "Jamal", "Keiko", "Lucia", "Marco",
    "Nikhil", "Oskar", "Paloma", "Quentin", "Rosa", "Soren", "Talia", "Umar", "Vera", "Wen",
    "Ximena", "Yara", "Zainab", "Adaeze", "Bilal", "Chiara", "Dario", "Emeka", "Freya", "Goran",
    "Hiro", "Ingrid", "Joaquin", "Kaito", "Leila", "Malik", "Nuno", "Olga", "Pedro", "Rania",
    "Sven", "Tomas", "Ulla", "Viktor", "Wanjiru", "Yusuf", "Zeynep", "Anouk", "Beatriz",
    "Cyrus", "Dalia", "Elif", "Fionn", "Greta", "Hamid", "Ilse", "Jules", "Katya", "Lorenzo",
    "Mirela", "Nkechi", "Otto", "Pilar", "Rafael", "Selin", "Tobias", "Valentina", "Wiebke",
]
LAST_NAMES = [
    "Okafor", "Tanaka", "Garcia", "Smith", "Novak", "Rossi", "Kim", "Haddad", "Silva", "Müller",
    "Dubois", "Patel", "Nguyen", "Johansson", "Kowalski", "Mensah", "Cohen", "Ibrahim", "Costa",
    "Larsen", "Moreau", "Singh", "Yilmaz", "Park", "Fischer", "Lopez", "Adeyemi", "Sato", "Walsh",
    "Petrov", "Abara", "Bergstrom", "Chowdhury", "Delacroix", "Eriksen", "Ferreira", "Gallagher",
    "Hoffmann", "Iwasaki", "Jovanovic", "Kaplan", "Lindqvist", "Mahmoud", "Nakamura", "Oyelaran",
    "Pereira", "Quintero", "Rahman", "Schneider", "Takahashi", "Ueda", "Vasquez", "Wojcik",
    "Xu", "Yamamoto", "Zhang", "Achebe", "Barros", "Castillo", "Dimitrov", "Esposito", "Fontaine",
    "Grünewald", "Horvat", "Ionescu", "Jensen", "Kovac", "Lemaire", "Marino", "Nowak", "Olsen",
    "Popescu", "Quinn", "Romero", "Sorensen", "Tremblay", "Urquhart", "Varga", "Weber", "Yadav",
    "Zielinski", "Afolabi", "Brennan", "Carvalho", "Demir", "Eklund", "Fujita", "Grant",
    "Hashemi", "Ito", "Jaramillo", "Khalil", "Lund", "Moreno", "Nilsson", "Ortiz", "Pham",
    "Ruiz", "Suzuki", "Thorne", "Usman", "Vogel", "Wong", "Young", "Zapata",
]
CITIES = [
    "Lisbon", "Lagos", "Osaka", "Berlin", "Toronto", "Mexico City", "Melbourne", "Nairobi",
    "Seoul", "Barcelona", "Austin", "Mumbai", "Glasgow", "São Paulo", "Oslo", "Montreal",
]
# Time zones with their share of users.
TIMEZONES = [
    ("America/New_York", 0.17), ("America/Chicago", 0.07), ("America/Los_Angeles", 0.11),
    ("America/Mexico_City", 0.04), ("America/Sao_Paulo", 0.06), ("Europe/London", 0.1),
    ("Europe/Paris", 0.08), ("Europe/Berlin", 0.08), ("Europe/Madrid", 0.04),
    ("Africa/Lagos", 0.03), ("Asia/Kolkata", 0.07), ("Asia/Singapore", 0.04), ("Asia/Tokyo", 0.05),
    ("Australia/Sydney", 0.06),
]
DEVICES = ["mobile", "desktop", "tablet", "tv"]
# A reader's usual device (nobody reads mostly on a television)...
DEVICE_SHARE = np.array([0.6, 0.3, 0.1, 0.0])
# ...and the devices of acts away from it.
OTHER_DEVICE_SHARE = np.array([0.5, 0.25, 0.15, 0.1])
# The day in four bands, by local hour: night (23-5), morning (6-11), day (12-17), evening
# (18-22). Each kind of item has its moments: when it is read and on what.
HOUR_BAND = np.array([0] * 6 + [1] * 6 + [2] * 6 + [3] * 5 + [0])
# By type (blog, video, image, audio) and band (night, morning, day, evening): long reads
# in the evening, short ones and audio on the way to work, videos at night and at dinner.
TYPE_BANDS = np.array(
    [[0.7, 0.6, 1.1, 1.7],
     [1.5, 0.9, 0.6, 1.3],
     [1.0, 1.8, 1.0, 0.6],
     [0.8, 1.9, 0.9, 0.5]]
)
# By type and device (mobile, desktop, tablet, tv): long reads on desktops, videos on TVs
# and tablets, images and audio on phones.
TYPE_DEVICES = np.array(
    [[0.6, 2.0, 1.0, 0.05],
     [1.0, 0.5, 1.3, 4.0],
     [1.6, 0.6, 1.0, 0.3],
     [1.6, 0.7, 0.6, 0.8]]
)
# By band and device: phones in the morning, desktops by day, tablets and TVs at night.
BAND_DEVICES = np.array(
    [[1.2, 0.6, 1.5, 1.2],
     [1.6, 0.8, 0.8, 0.3],
     [0.8, 1.6, 0.7, 0.3],
     [0.9, 0.9, 1.3, 2.2]]
)
# Activity by local hour (0..23), weekdays and weekends: commute, lunch and evening peaks.
HOURS_WEEKDAY = np.array(
    [1.0, 0.6, 0.3, 0.2, 0.2, 0.4, 1.2, 2.6, 3.2, 2.4, 2.0, 2.2,
     3.0, 2.8, 2.0, 1.9, 2.0, 2.6, 3.2, 3.6, 4.0, 4.2, 3.4, 2.0]
)
HOURS_WEEKEND = np.array(
    [1.6, 1.1, 0.6, 0.3, 0.2, 0.2, 0.4, 0.8, 1.5, 2.4, 3.0, 3.2,
     3.2, 3.0, 2.8, 2.8, 2.8, 2.9, 3.0, 3.3, 3.6, 3.6, 3.0, 2.2]
)
# Typical dwell time in milliseconds by type (blog, video, image, audio).
DWELL_MEDIAN_MS = np.array([95_000.0, 240_000.0, 14_000.0, 330_000.0])
ACCENT_COLORS = ["#e4572e", "#17bebb", "#76b041", "#ffc914", "#7b2cbf", "#ff5d8f", "#2e294e"]
# fmt: on
