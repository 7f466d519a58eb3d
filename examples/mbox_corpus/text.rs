//! Words, names and the random stream the corpus is written from.

pub const WORDS: &str =
    "the a of and to in is that for it as with on be by this are or from at we can
not our they have more but which their about what when how there has so if will one all would these
also into other people than them then only some could time most may just very many those where much
such each should even like well make way because through new first any both build release patch
branch merge review test tests failing passing commit kernel driver config option flag default
memory leak crash stack trace log logs error warning version upgrade downgrade package packages
mirror server client proxy cache index query schema table migration backup restore disk network
socket timeout latency throughput benchmark profile thread lock race deadlock signal handler parser
lexer compiler linker library binary script shell path file files folder permission user users
group admin list archive thread subject reply bounce digest moderator spam filter header body
encoding charset locale unicode font render screen window layout theme plugin module feature bug
bugs issue ticket tracker roadmap meeting minutes vote proposal draft spec standard protocol";

pub const FIRST: &str =
    "Ada Alan Alice Amara Ana Andre Anika Arjun Aya Ben Bianca Boris Carla Carlos
Chen Chloe Dana Daniel Dara David Diego Elena Eli Emma Esteban Eva Farah Felix Fiona Gabriel Grace
Hana Hugo Ian Ines Isaac Ivy Jack Jamal Jana Javier Jin Jonas Julia Kai Kamal Kara Kenji Lara Leo
Lina Liu Lucas Luis Maya Mei Mona Nadia Nina Noah Nora Olga Omar Oscar Paula Pedro Priya Rafael
Rahul Rana Rosa Ruth Sami Sara Sofia Sven Tara Theo Tom Uma Victor Vera Wei Yara Yusuf Zara Zoe";

pub const LAST: &str = "Abe Adler Baker Berg Brandt Castro Chen Cohen Costa Dahl Diaz Dubois Engel
Evans Fischer Flores Garcia Gomez Gupta Haas Hansen Hoffmann Ito Jensen Kato Keller Kim Koch Kovacs
Kumar Lang Larsen Lee Lopez Meyer Moreau Mori Nagy Novak Olsen Park Patel Perez Petrov Quinn Reyes
Richter Rossi Sato Schmidt Silva Singh Suzuki Tanaka Torres Varga Vogel Wagner Weber Wong Young";

/// Names with letters outside ASCII, written as RFC 2047 encoded words.
pub const ACCENTED: &[&str] = &[
    "Renée Dupré",
    "Jürgen Müller",
    "Zoë Ångström",
    "José Núñez",
    "Bjørn Økland",
    "François Lefèvre",
];
pub const CYRILLIC_NAMES: &[&str] = &["Иван Петров", "Ольга Смирнова", "Дмитрий Орлов"];

pub const LATIN1_TEXT: &[&str] = &[
    "Voilà, ça marche très bien après la mise à jour.",
    "Grüße aus München, die Änderung löst das Problem für uns.",
    "La configuración nueva está en el repositorio, señor.",
    "Façade, naïve, coöperation: all of these survive the round trip.",
];
pub const RUSSIAN_TEXT: &[&str] = &[
    "Спасибо, это исправление работает у нас без ошибок.",
    "Сборка падает на новой версии компилятора, вот журнал.",
    "Предлагаю обсудить это на следующей встрече списка.",
];
pub const JAPANESE_TEXT: &[&str] = &[
    "ありがとうございます。このパッチでなおりました。",
    "ビルドがしっぱいします。ログをおくります。",
];

pub const DOMAINS: &[&str] = &[
    "example.org",
    "example.com",
    "mail.example.net",
    "users.example.edu",
    "lists.example.org",
];

/// A xoshiro256** stream seeded through splitmix64.
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a, T: ?Sized>(&mut self, xs: &[&'a T]) -> &'a T {
        xs[self.below(xs.len())]
    }

    /// An exponential wait with this mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }
}

pub fn sentence(rng: &mut Rng, words: &[&str], out: &mut String) {
    let n = rng.range(6, 18);
    for i in 0..n {
        let w = words[rng.below(words.len())];
        if i == 0 {
            out.push(w.as_bytes()[0].to_ascii_uppercase() as char);
            out.push_str(&w[1..]);
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    out.push_str(if rng.chance(0.15) { "?" } else { "." });
}

/// Paragraphs of prose, wrapped at 72 columns.
pub fn prose(rng: &mut Rng, words: &[&str], paragraphs: usize) -> String {
    let mut text = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            text.push_str("\n\n");
        }
        let mut para = String::new();
        for s in 0..rng.range(2, 5) {
            if s > 0 {
                para.push(' ');
            }
            sentence(rng, words, &mut para);
        }
        wrap(&para, &mut text);
        if rng.chance(0.02) {
            // An unescaped-looking line that the mbox must escape.
            text.push_str("\nFrom the logs it looks like a timeout.");
        }
    }
    text
}

pub fn wrap(para: &str, out: &mut String) {
    let mut col = 0;
    for w in para.split(' ') {
        if col > 0 && col + w.len() > 72 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
    }
}

pub fn subject(rng: &mut Rng, words: &[&str]) -> String {
    let mut s = String::new();
    let n = rng.range(3, 8);
    for i in 0..n {
        let w = words[rng.below(words.len())];
        if i == 0 {
            s.push(w.as_bytes()[0].to_ascii_uppercase() as char);
            s.push_str(&w[1..]);
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    if rng.chance(0.1) {
        s.push('?');
    }
    s
}
