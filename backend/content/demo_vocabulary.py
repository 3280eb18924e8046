"""Words and shapes the demo platform is made of: categories with their tags and vocabulary,
title and text templates, names, time zones, daily activity curves and dwell times."""

from __future__ import annotations

import numpy as np

from backend.content.models import ContentType

# fmt: off
CATEGORIES: list[dict] = [
    {
        "name": "Cooking", "pop": 0.12, "types": (0.35, 0.4, 0.2, 0.05), "weekend": 0.8,
        "tags": [
            "recipes", "baking", "vegan", "street-food", "meal-prep", "pasta", "fermentation",
            "bbq", "desserts", "knife-skills",
        ],
        "nouns": [
            "sourdough", "ramen", "weeknight dinners", "pastry", "curry", "dumplings",
            "knife skills", "spice blends", "fresh pasta", "slow cooking", "brunch", "street food",
            "kimchi", "pantry staples",
        ],
        "adjs": [
            "crispy", "comforting", "one-pan", "seasonal", "smoky", "foolproof", "rustic", "zesty",
        ],
        "brand": [
            "Kitchen", "Table", "Pantry", "Spoon", "Skillet",
        ],
    },
    {
        "name": "Travel", "pop": 0.1, "types": (0.3, 0.35, 0.3, 0.05), "weekend": 0.9,
        "tags": [
            "backpacking", "city-guides", "road-trips", "hiking", "islands", "rail-travel",
            "van-life", "food-travel", "solo-travel", "travel-hacks",
        ],
        "nouns": [
            "Lisbon", "night trains", "Patagonia", "hidden beaches", "Kyoto", "road trips",
            "mountain huts", "carry-on packing", "the Dolomites", "hostels", "Marrakech",
            "island hopping", "Hanoi street markets", "the Scottish Highlands",
        ],
        "adjs": [
            "off-the-beaten-path", "slow", "budget", "weekend", "unforgettable", "local", "scenic",
            "last-minute",
        ],
        "brand": [
            "Wanderer", "Compass", "Atlas", "Roads", "Passport",
        ],
    },
    {
        "name": "Music", "pop": 0.11, "types": (0.1, 0.35, 0.05, 0.5), "weekend": 0.7,
        "tags": [
            "guitar", "synths", "music-production", "jazz", "indie", "hip-hop", "classical",
            "vinyl", "live-sessions", "songwriting",
        ],
        "nouns": [
            "chord progressions", "analog synths", "mixing vocals", "jazz standards",
            "home studios", "drum grooves", "songwriting", "vinyl records", "bass lines",
            "film scores", "lo-fi beats", "live looping", "ear training", "fingerstyle",
        ],
        "adjs": [
            "groovy", "lush", "minimal", "soulful", "raw", "cinematic", "warm", "punchy",
        ],
        "brand": [
            "Sound", "Records", "Studio", "Beats", "Tapes",
        ],
    },
    {
        "name": "Tech", "pop": 0.11, "types": (0.5, 0.35, 0.05, 0.1), "weekend": 0.3,
        "tags": [
            "programming", "python", "web-dev", "ai", "gadgets", "linux", "open-source",
            "security", "smart-home", "cloud",
        ],
        "nouns": [
            "Python tooling", "type systems", "home servers", "mechanical keyboards",
            "large language models", "Rust", "databases", "smart home automation",
            "web performance", "Linux desktops", "password managers", "GPUs", "static sites",
            "API design",
        ],
        "adjs": [
            "practical", "fast", "open-source", "pragmatic", "modern", "secure", "tiny",
            "scalable",
        ],
        "brand": [
            "Labs", "Dev", "Stack", "Byte", "Terminal",
        ],
    },
    {
        "name": "Fitness", "pop": 0.09, "types": (0.25, 0.55, 0.1, 0.1), "weekend": 0.6,
        "tags": [
            "running", "strength-training", "yoga", "mobility", "cycling", "hiit", "nutrition",
            "marathon", "home-workouts", "recovery",
        ],
        "nouns": [
            "marathon training", "kettlebells", "morning yoga", "mobility drills", "zone 2 cardio",
            "deadlifts", "protein", "trail running", "recovery days", "pull-ups", "stretching",
            "cycling intervals", "core strength", "sleep",
        ],
        "adjs": [
            "sustainable", "intense", "beginner-friendly", "20-minute", "science-backed",
            "no-equipment", "gentle", "explosive",
        ],
        "brand": [
            "Fit", "Strong", "Motion", "Athletics", "Move",
        ],
    },
    {
        "name": "Gaming", "pop": 0.1, "types": (0.2, 0.6, 0.1, 0.1), "weekend": 1.0,
        "tags": [
            "indie-games", "rpg", "speedrunning", "retro-gaming", "esports", "strategy",
            "game-dev", "board-games", "nintendo", "open-world",
        ],
        "nouns": [
            "speedruns", "indie roguelikes", "retro consoles", "open-world RPGs", "deck builders",
            "esports finals", "pixel art", "board game nights", "boss fights", "level design",
            "co-op games", "game soundtracks", "strategy games", "modding",
        ],
        "adjs": [
            "underrated", "cozy", "brutal", "legendary", "addictive", "hidden-gem", "nostalgic",
            "competitive",
        ],
        "brand": [
            "Plays", "Arcade", "Quest", "Pixel", "Respawn",
        ],
    },
    {
        "name": "Art & Design", "pop": 0.07, "types": (0.15, 0.2, 0.6, 0.05), "weekend": 0.7,
        "tags": [
            "illustration", "watercolor", "typography", "ui-design", "sketching", "ceramics",
            "digital-art", "color-theory", "architecture", "printmaking",
        ],
        "nouns": [
            "watercolour landscapes", "typography", "sketchbooks", "colour palettes",
            "logo design", "ceramics", "figure drawing", "UI design", "linocuts",
            "brutalist buildings", "digital painting", "poster design", "hand lettering",
            "studio spaces",
        ],
        "adjs": [
            "bold", "delicate", "minimalist", "vibrant", "hand-made", "geometric", "playful",
            "moody",
        ],
        "brand": [
            "Studio", "Atelier", "Ink", "Canvas", "Works",
        ],
    },
    {
        "name": "Science", "pop": 0.06, "types": (0.45, 0.3, 0.1, 0.15), "weekend": 0.4,
        "tags": [
            "space", "physics", "biology", "climate", "neuroscience", "chemistry", "astronomy",
            "math", "ecology", "genetics",
        ],
        "nouns": [
            "black holes", "the James Webb telescope", "CRISPR", "climate models",
            "the brain's memory", "quantum computing", "exoplanets", "ocean currents", "evolution",
            "prime numbers", "vaccines", "dark matter", "fungi networks", "particle physics",
        ],
        "adjs": [
            "mind-bending", "surprising", "fundamental", "cutting-edge", "curious", "elegant",
            "overlooked", "strange",
        ],
        "brand": [
            "Lab", "Observatory", "Science", "Curiosity", "Orbit",
        ],
    },
    {
        "name": "Fashion", "pop": 0.07, "types": (0.2, 0.3, 0.45, 0.05), "weekend": 0.8,
        "tags": [
            "streetwear", "vintage", "capsule-wardrobe", "sneakers", "sewing", "skincare",
            "thrifting", "outfit-ideas", "accessories", "runway",
        ],
        "nouns": [
            "capsule wardrobes", "vintage denim", "sneakers", "thrift hauls", "linen shirts",
            "skincare routines", "tailoring", "runway trends", "sewing patterns", "rain jackets",
            "leather boots", "layering", "knitwear", "street style",
        ],
        "adjs": [
            "timeless", "effortless", "oversized", "sustainable", "tailored", "statement",
            "affordable", "classic",
        ],
        "brand": [
            "Style", "Wardrobe", "Threads", "Closet", "Label",
        ],
    },
    {
        "name": "Personal Finance", "pop": 0.05, "types": (0.5, 0.2, 0.05, 0.25), "weekend": 0.4,
        "tags": [
            "investing", "budgeting", "saving", "index-funds", "retirement", "side-hustles",
            "taxes", "real-estate", "frugal-living", "crypto",
        ],
        "nouns": [
            "index funds", "emergency funds", "budgeting apps", "retirement accounts",
            "side hustles", "mortgages", "tax returns", "compound interest", "frugal living",
            "rental properties", "credit scores", "dividends", "financial independence",
            "salary negotiation",
        ],
        "adjs": [
            "boring-but-effective", "simple", "long-term", "realistic", "smart", "stress-free",
            "honest", "step-by-step",
        ],
        "brand": [
            "Money", "Wealth", "Finance", "Ledger", "Capital",
        ],
    },
    {
        "name": "Photography", "pop": 0.06, "types": (0.15, 0.15, 0.65, 0.05), "weekend": 0.8,
        "tags": [
            "street-photography", "portraits", "film-photography", "landscapes", "lightroom",
            "wildlife", "astrophotography", "composition", "lenses", "drones",
        ],
        "nouns": [
            "golden hour", "35mm film", "street portraits", "long exposures", "prime lenses",
            "Lightroom presets", "the Milky Way", "wildlife", "drone shots", "composition",
            "black and white", "night cities", "macro shots", "camera bags",
        ],
        "adjs": [
            "cinematic", "candid", "dreamy", "sharp", "grainy", "dramatic", "quiet", "luminous",
        ],
        "brand": [
            "Frames", "Lens", "Exposure", "Shutter", "Light",
        ],
    },
    {
        "name": "Books", "pop": 0.06, "types": (0.55, 0.1, 0.05, 0.3), "weekend": 0.7,
        "tags": [
            "fiction", "sci-fi", "fantasy", "poetry", "book-reviews", "classics", "non-fiction",
            "writing", "mystery", "book-club",
        ],
        "nouns": [
            "science fiction", "epic fantasy", "modern poetry", "Russian classics", "crime novels",
            "memoirs", "short stories", "reading habits", "book clubs", "world-building",
            "translated fiction", "graphic novels", "first drafts", "literary prizes",
        ],
        "adjs": [
            "gripping", "beautiful", "forgotten", "sprawling", "quiet", "unsettling",
            "life-changing", "witty",
        ],
        "brand": [
            "Reads", "Pages", "Library", "Chapter", "Bookshelf",
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
TITLE_TEMPLATES = [
    "{n} {adj} ideas for {noun}",
    "How I got into {noun}",
    "The {adj} guide to {noun}",
    "{Noun}: what nobody tells you",
    "Why {noun} matters more than you think",
    "A {adj} look at {noun}",
    "{n} mistakes everyone makes with {noun}",
    "My {adj} approach to {noun}",
    "{Noun} for beginners: start here",
    "Inside the world of {noun}",
    "I tried {noun} for 30 days",
    "{Noun} vs {noun2}: an honest comparison",
    "What {noun} taught me about {noun2}",
    "The {adj} side of {noun}",
    "Everything I know about {noun}, in {n} steps",
    "From {noun} to {noun2}",
]
TYPE_TITLE_PREFIX = {
    ContentType.BLOG: ["", "", "", "Notes: "],
    ContentType.VIDEO: ["", "", "Watch: ", "Vlog: "],
    ContentType.IMAGE: ["Photo set: ", "Gallery: ", "", "In pictures: "],
    ContentType.AUDIO: ["Podcast: ", "Episode: ", "", "Listen: "],
}
TYPE_WORD = {
    ContentType.BLOG: "post",
    ContentType.VIDEO: "video",
    ContentType.IMAGE: "photo series",
    ContentType.AUDIO: "episode",
}
EXCERPT_TEMPLATES = [
    "A {adj} {kind} about {noun}, with notes on {noun2} and plenty of {tag}.",
    "Everything you need to know about {noun}, from the basics to {noun2}.",
    "In this {kind} I share what works for {noun}: {adj}, honest and tested.",
    "{Noun} and {noun2}, explained without the jargon.",
    "A {adj} take on {noun}. Come for the {tag}, stay for the {noun2}.",
]
BODY_SENTENCES = [
    "This {kind} started with a simple question about {noun}.",
    "Most people get {noun} wrong because they skip the basics.",
    "The trick with {noun} is to keep it {adj} and to be patient.",
    "I spent months on {noun} before it finally clicked.",
    "If you only remember one thing about {noun2}, make it this.",
    "Here is a {adj} routine for {noun} you can start this weekend.",
    "We also compare {noun} with {noun2} and look at the trade-offs.",
    "Readers keep asking about {tag}, so there is a section on it below.",
    "The {adj} details are what make {noun} worth the effort.",
    "Next time we will go deeper into {noun2}.",
    "Thanks to everyone who sent questions about {noun} and {tag}.",
    "Below you will find the tools, the costs and the mistakes to avoid with {noun}.",
]
FIRST_NAMES = [
    "Maya", "Liam", "Noah", "Emma", "Olivia", "Aisha", "Kenji", "Sofia", "Lucas", "Amara", "Mateo",
    "Zoe", "Ivan", "Priya", "Chen", "Fatima", "Hugo", "Lena", "Omar", "Yuki", "Elena", "Jonas",
    "Nadia", "Tariq", "Ines", "Felix", "Hana", "Diego", "Clara", "Ravi", "Sara", "Leo", "Mila",
    "Kofi", "Ana", "Theo", "Nora", "Arjun", "Eva", "Samir",
]
LAST_NAMES = [
    "Okafor", "Tanaka", "Garcia", "Smith", "Novak", "Rossi", "Kim", "Haddad", "Silva", "Müller",
    "Dubois", "Patel", "Nguyen", "Johansson", "Kowalski", "Mensah", "Cohen", "Ibrahim", "Costa",
    "Larsen", "Moreau", "Singh", "Yilmaz", "Park", "Fischer", "Lopez", "Adeyemi", "Sato", "Walsh",
    "Petrov",
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
DEVICES = ["mobile", "desktop", "tablet"]
DEVICE_SHARE = np.array([0.6, 0.3, 0.1])
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
