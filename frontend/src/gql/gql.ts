/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Catalogue {\n    categories {\n      id\n      name\n      slug\n    }\n    tags {\n      id\n      name\n      slug\n    }\n  }\n": typeof types.CatalogueDocument,
    "\n  query CreatorProfile($id: ID!) {\n    creator(id: $id) {\n      id\n      displayName\n      bio\n      items(first: 24) {\n        totalCount\n        edges {\n          node {\n            id\n            type\n            title\n            excerpt\n            imageUrl\n            creator {\n              id\n              displayName\n            }\n            category {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CreatorProfileDocument,
    "\n  query ItemDetail($id: ID!) {\n    item(id: $id) {\n      id\n      type\n      title\n      excerpt\n      body\n      imageUrl\n      publishedAt\n      creator {\n        id\n        displayName\n        bio\n      }\n      category {\n        id\n        name\n      }\n      tags {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ItemDetailDocument,
    "\n  mutation RecordView($input: InteractionInput!) {\n    recordInteraction(input: $input) {\n      id\n      kind\n    }\n  }\n": typeof types.RecordViewDocument,
    "\n  query BrowseItems(\n    $first: Int!\n    $after: String\n    $type: ContentType\n    $categoryId: ID\n    $tagId: ID\n    $orderBy: ItemOrder!\n  ) {\n    items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          type\n          title\n          excerpt\n          imageUrl\n          creator {\n            id\n            displayName\n          }\n          category {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.BrowseItemsDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  mutation SetInterests($tagIds: [ID!], $categoryIds: [ID!]) {\n    setInterests(tagIds: $tagIds, categoryIds: $categoryIds) {\n      id\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.SetInterestsDocument,
    "\n  mutation UpdatePreferences($accentColor: String, $fontSize: Int) {\n    updatePreferences(accentColor: $accentColor, fontSize: $fontSize) {\n      id\n      preferences {\n        accentColor\n        fontSize\n      }\n    }\n  }\n": typeof types.UpdatePreferencesDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      id\n      username\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Viewer {\n    me {\n      id\n      username\n      firstName\n      lastName\n      creator {\n        id\n        displayName\n      }\n      preferences {\n        accentColor\n        fontSize\n      }\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  query Catalogue {\n    categories {\n      id\n      name\n      slug\n    }\n    tags {\n      id\n      name\n      slug\n    }\n  }\n": types.CatalogueDocument,
    "\n  query CreatorProfile($id: ID!) {\n    creator(id: $id) {\n      id\n      displayName\n      bio\n      items(first: 24) {\n        totalCount\n        edges {\n          node {\n            id\n            type\n            title\n            excerpt\n            imageUrl\n            creator {\n              id\n              displayName\n            }\n            category {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CreatorProfileDocument,
    "\n  query ItemDetail($id: ID!) {\n    item(id: $id) {\n      id\n      type\n      title\n      excerpt\n      body\n      imageUrl\n      publishedAt\n      creator {\n        id\n        displayName\n        bio\n      }\n      category {\n        id\n        name\n      }\n      tags {\n        id\n        name\n      }\n    }\n  }\n": types.ItemDetailDocument,
    "\n  mutation RecordView($input: InteractionInput!) {\n    recordInteraction(input: $input) {\n      id\n      kind\n    }\n  }\n": types.RecordViewDocument,
    "\n  query BrowseItems(\n    $first: Int!\n    $after: String\n    $type: ContentType\n    $categoryId: ID\n    $tagId: ID\n    $orderBy: ItemOrder!\n  ) {\n    items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          type\n          title\n          excerpt\n          imageUrl\n          creator {\n            id\n            displayName\n          }\n          category {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.BrowseItemsDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  mutation SetInterests($tagIds: [ID!], $categoryIds: [ID!]) {\n    setInterests(tagIds: $tagIds, categoryIds: $categoryIds) {\n      id\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.SetInterestsDocument,
    "\n  mutation UpdatePreferences($accentColor: String, $fontSize: Int) {\n    updatePreferences(accentColor: $accentColor, fontSize: $fontSize) {\n      id\n      preferences {\n        accentColor\n        fontSize\n      }\n    }\n  }\n": types.UpdatePreferencesDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      id\n      username\n    }\n  }\n": types.LoginDocument,
    "\n  query Viewer {\n    me {\n      id\n      username\n      firstName\n      lastName\n      creator {\n        id\n        displayName\n      }\n      preferences {\n        accentColor\n        fontSize\n      }\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Catalogue {\n    categories {\n      id\n      name\n      slug\n    }\n    tags {\n      id\n      name\n      slug\n    }\n  }\n"): (typeof documents)["\n  query Catalogue {\n    categories {\n      id\n      name\n      slug\n    }\n    tags {\n      id\n      name\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CreatorProfile($id: ID!) {\n    creator(id: $id) {\n      id\n      displayName\n      bio\n      items(first: 24) {\n        totalCount\n        edges {\n          node {\n            id\n            type\n            title\n            excerpt\n            imageUrl\n            creator {\n              id\n              displayName\n            }\n            category {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CreatorProfile($id: ID!) {\n    creator(id: $id) {\n      id\n      displayName\n      bio\n      items(first: 24) {\n        totalCount\n        edges {\n          node {\n            id\n            type\n            title\n            excerpt\n            imageUrl\n            creator {\n              id\n              displayName\n            }\n            category {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ItemDetail($id: ID!) {\n    item(id: $id) {\n      id\n      type\n      title\n      excerpt\n      body\n      imageUrl\n      publishedAt\n      creator {\n        id\n        displayName\n        bio\n      }\n      category {\n        id\n        name\n      }\n      tags {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ItemDetail($id: ID!) {\n    item(id: $id) {\n      id\n      type\n      title\n      excerpt\n      body\n      imageUrl\n      publishedAt\n      creator {\n        id\n        displayName\n        bio\n      }\n      category {\n        id\n        name\n      }\n      tags {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordView($input: InteractionInput!) {\n    recordInteraction(input: $input) {\n      id\n      kind\n    }\n  }\n"): (typeof documents)["\n  mutation RecordView($input: InteractionInput!) {\n    recordInteraction(input: $input) {\n      id\n      kind\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BrowseItems(\n    $first: Int!\n    $after: String\n    $type: ContentType\n    $categoryId: ID\n    $tagId: ID\n    $orderBy: ItemOrder!\n  ) {\n    items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          type\n          title\n          excerpt\n          imageUrl\n          creator {\n            id\n            displayName\n          }\n          category {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BrowseItems(\n    $first: Int!\n    $after: String\n    $type: ContentType\n    $categoryId: ID\n    $tagId: ID\n    $orderBy: ItemOrder!\n  ) {\n    items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          type\n          title\n          excerpt\n          imageUrl\n          creator {\n            id\n            displayName\n          }\n          category {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetInterests($tagIds: [ID!], $categoryIds: [ID!]) {\n    setInterests(tagIds: $tagIds, categoryIds: $categoryIds) {\n      id\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetInterests($tagIds: [ID!], $categoryIds: [ID!]) {\n    setInterests(tagIds: $tagIds, categoryIds: $categoryIds) {\n      id\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePreferences($accentColor: String, $fontSize: Int) {\n    updatePreferences(accentColor: $accentColor, fontSize: $fontSize) {\n      id\n      preferences {\n        accentColor\n        fontSize\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePreferences($accentColor: String, $fontSize: Int) {\n    updatePreferences(accentColor: $accentColor, fontSize: $fontSize) {\n      id\n      preferences {\n        accentColor\n        fontSize\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      id\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    me {\n      id\n      username\n      firstName\n      lastName\n      creator {\n        id\n        displayName\n      }\n      preferences {\n        accentColor\n        fontSize\n      }\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    me {\n      id\n      username\n      firstName\n      lastName\n      creator {\n        id\n        displayName\n      }\n      preferences {\n        accentColor\n        fontSize\n      }\n      interests {\n        tags {\n          id\n          name\n        }\n        categories {\n          id\n          name\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;