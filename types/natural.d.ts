// Ambient declarations for the `natural` submodules the classifier imports (we never import the package root).

declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class WordTokenizer {
    constructor(options?: Record<string, unknown>);
    tokenize(text: string): string[];
  }
  export class RegexpTokenizer {
    constructor(options?: { pattern?: RegExp; gaps?: boolean; discardEmpty?: boolean });
    tokenize(text: string): string[];
  }
}

declare module 'natural/lib/natural/tfidf/tfidf.js' {
  export default class TfIdf {
    constructor();
    addDocument(document: string[] | string, key?: string): void;
    idf(term: string, force?: boolean): number;
  }
}
