// Compilation of the regex AST to a Thompson program, and the literal fast paths.
#include <algorithm>
#include <string>
#include <utility>

#include "regex_program.hpp"

namespace alertgate::regex {

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Flattens nested concatenations (groups inside a sequence) into one list of pieces.
void flatten(const Ast& ast, std::uint32_t n, std::vector<std::uint32_t>& out) {
  const Node& node = ast.nodes[n];
  if (node.kind != NodeKind::concat) return out.push_back(n);
  for (std::uint32_t c : node.children) flatten(ast, c, out);
}

// True when `n` matches exactly one fixed string (literals, empty, and sequences of them).
bool literal_string(const Ast& ast, std::uint32_t n, std::string& out) {
  std::vector<std::uint32_t> pieces;
  flatten(ast, n, pieces);
  for (std::uint32_t p : pieces) {
    const Node& node = ast.nodes[p];
    if (node.kind == NodeKind::literal)
      append_utf8(out, node.ch);
    else if (node.kind != NodeKind::empty)
      return false;
  }
  return true;
}

bool is_dot_star(const Ast& ast, std::uint32_t n) {
  const Node& node = ast.nodes[n];
  return node.kind == NodeKind::repeat && node.min == 0 && node.max == -1 &&
         ast.nodes[node.children[0]].kind == NodeKind::any;
}

// Instructions `n` compiles to, saturating well above the limit.
std::uint64_t program_size(const Ast& ast, std::uint32_t n) {
  const Node& node = ast.nodes[n];
  std::uint64_t s = 0;
  switch (node.kind) {
    case NodeKind::empty: return 0;
    case NodeKind::concat:
      for (std::uint32_t c : node.children) s += program_size(ast, c);
      break;
    case NodeKind::alternate:
      for (std::uint32_t c : node.children) s += program_size(ast, c) + 2;
      break;
    case NodeKind::repeat: {
      const std::uint64_t body = program_size(ast, node.children[0]);
      s = body * static_cast<std::uint64_t>(node.min) +
          (node.max < 0 ? body + 2 : (body + 1) * static_cast<std::uint64_t>(node.max - node.min));
      break;
    }
    default: return 1;
  }
  return std::min<std::uint64_t>(s, std::uint64_t{1} << 40);
}

}  // namespace

class Compiler {
 public:
  explicit Compiler(const Ast& ast, Program& out) : ast_(ast), out_(out) {}

  void emit(std::uint32_t n) {
    const Node& node = ast_.nodes[n];
    using Op = Program::Op;
    switch (node.kind) {
      case NodeKind::empty: break;
      case NodeKind::literal: push({Op::ch, node.ch}); break;
      case NodeKind::any: push({Op::any}); break;
      case NodeKind::cls: push({Op::cls, 0, node.cls}); break;
      case NodeKind::begin: push({Op::begin}); break;
      case NodeKind::end: push({Op::end}); break;
      case NodeKind::concat:
        for (std::uint32_t c : node.children) emit(c);
        break;
      case NodeKind::alternate: {
        std::vector<std::size_t> jumps;
        for (std::size_t i = 0; i < node.children.size(); ++i) {
          const bool last = i + 1 == node.children.size();
          const std::size_t split = last ? 0 : push({Op::split});
          if (!last) inst(split).x = pc();
          emit(node.children[i]);
          if (!last) {
            jumps.push_back(push({Op::jmp}));
            inst(split).y = pc();
          }
        }
        for (std::size_t j : jumps) inst(j).x = pc();
        break;
      }
      case NodeKind::repeat: {
        const std::uint32_t body = node.children[0];
        for (int i = 0; i < node.min; ++i) emit(body);
        if (node.max < 0) {  // L: split body, out; body; jmp L
          const std::size_t loop = push({Op::split});
          inst(loop).x = pc();
          emit(body);
          push({Op::jmp, 0, static_cast<std::uint32_t>(loop)});
          inst(loop).y = pc();
        } else {  // each optional copy may skip to the common end
          std::vector<std::size_t> splits;
          for (int i = node.min; i < node.max; ++i) {
            splits.push_back(push({Op::split}));
            inst(splits.back()).x = pc();
            emit(body);
          }
          for (std::size_t s : splits) inst(s).y = pc();
        }
        break;
      }
    }
  }

  std::size_t push(Program::Inst i) {
    out_.prog_.push_back(i);
    return out_.prog_.size() - 1;
  }

 private:
  std::uint32_t pc() const { return static_cast<std::uint32_t>(out_.prog_.size()); }
  Program::Inst& inst(std::size_t i) { return out_.prog_[i]; }

  const Ast& ast_;
  Program& out_;
};

Result<Program, std::string> Program::compile(std::string_view pattern, bool fast_paths) {
  auto parsed = parse(pattern);
  if (!parsed) return unexpected(std::move(parsed).error());
  Ast& ast = *parsed;
  Program p;
  if (fast_paths) {
    const Node& root = ast.nodes[ast.root];
    std::string lit;
    if (literal_string(ast, ast.root, lit)) {
      p.kind_ = Kind::literals;
      p.literals_.push_back(std::move(lit));
      return p;
    }
    if (root.kind == NodeKind::alternate) {
      bool all = true;
      for (std::uint32_t c : root.children) {
        std::string s;
        if (!(all = literal_string(ast, c, s))) break;
        p.literals_.push_back(std::move(s));
      }
      if (all) {
        p.kind_ = Kind::literals;
        return p;
      }
      p.literals_.clear();
    }
    std::vector<std::uint32_t> pieces;
    flatten(ast, ast.root, pieces);
    const auto rest_literal = [&](std::size_t from, std::size_t to) {
      std::string s;
      for (std::size_t i = from; i < to; ++i) {
        if (!literal_string(ast, pieces[i], s)) return false;
      }
      p.literals_.push_back(std::move(s));
      return true;
    };
    if (!pieces.empty() && is_dot_star(ast, pieces.back()) && rest_literal(0, pieces.size() - 1)) {
      p.kind_ = Kind::prefix;
      return p;
    }
    if (!pieces.empty() && is_dot_star(ast, pieces.front()) && rest_literal(1, pieces.size())) {
      p.kind_ = Kind::suffix;
      return p;
    }
  }
  if (program_size(ast, ast.root) + 1 > kMaxProgramSize) {
    return unexpected(std::string("regex too large (more than ") + std::to_string(kMaxProgramSize) +
                      " instructions once repeats expand)");
  }
  Compiler c(ast, p);
  c.emit(ast.root);
  c.push({Op::match});
  p.classes_ = std::move(ast.classes);
  p.kind_ = Kind::vm;
  return p;
}

}  // namespace alertgate::regex
